# Reference values for tests/test_recovery.py (Kaplan-Meier conventions of R's survival package).
# Run: Rscript tests/reference/recovery_km.R   (R 4.2, survival 3.5-3)
# Prints, for two data sets, survfit(conf.type = "log-log") curves, the median with its interval and
# the log-rank test (survdiff). The tests hold the printed numbers.
library(survival)
options(digits = 10)

# 1. notebook 04's synthetic demo: days to resumption of Beita's 24 large-scale firms, by sector
demo <- data.frame(
  group = c(rep("yiyao", 2), rep("jiancai", 5), rep("jixie", 6), rep("dianzi", 4), rep("fangzhi", 3),
            rep("shipin", 4)),
  days = c(0, 20, 3, 17, 20, 34, 35, 7, 10, 17, 19, 29, 31, 1, 23, 27, 31, 11, 19, 22, 0, 7, 13, 21),
  resumed = 1
)
# 2. censoring and ties: nine firms, two still closed at day 12, one curve sitting at 1/2 mid-way
censored <- data.frame(
  group = c(rep("a", 5), rep("b", 4)),
  days = c(2, 2, 5, 9, 12, 1, 4, 4, 12),
  resumed = c(1, 1, 0, 1, 0, 1, 1, 0, 0)
)
for (name in c("demo", "censored")) {
  d <- get(name)
  fit <- survfit(Surv(days, resumed) ~ group, data = d, conf.type = "log-log")
  cat("==", name, "\n")
  s <- summary(fit)
  print(data.frame(strata = s$strata, time = s$time, surv = s$surv, lower = s$lower, upper = s$upper))
  print(quantile(fit, probs = 0.5))
  lr <- survdiff(Surv(days, resumed) ~ group, data = d)
  cat("logrank chisq", lr$chisq, "p", pchisq(lr$chisq, length(lr$n) - 1, lower.tail = FALSE), "\n")
}
