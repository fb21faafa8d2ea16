# Reference values for tests/test_recovery.py: Korn-Graubard ("beta") intervals of R's survey package.
# Run: Rscript tests/reference/recovery_survey.R   (R 4.2, survey 4.1-1)
# Six firms on one day: staff on duty of staff total, and reported capacity shares.
library(survey)
options(digits = 10)
firms <- data.frame(
  firm = 1:6,
  on_duty = c(8, 15, 0, 40, 95, 3),
  total = c(10, 30, 5, 50, 100, 4),
  capacity = c(0.5, 0.4, 0.0, 0.9, 0.75, 0.6)
)
firms$rate <- firms$on_duty / firms$total
one_per_firm <- svydesign(ids = ~1, data = firms)
# staff-return rate as the average of firms' rates (how official averages are announced)
a <- svyciprop(~rate, one_per_firm, method = "beta")
cat("firm_average", coef(a), attr(a, "ci"), "\n")
# pooled: staff on duty / staff total, each person a row, firms as clusters
people <- firms[rep(seq_len(nrow(firms)), firms$total), c("firm", "on_duty", "total")]
people$on <- as.numeric(ave(people$firm, people$firm, FUN = seq_along) <= people$on_duty)
clustered <- svydesign(ids = ~firm, data = people)
p <- svyciprop(~on, clustered, method = "beta")
cat("pooled", coef(p), attr(p, "ci"), "\n")
# mean capacity share over firms
k <- svyciprop(~capacity, one_per_firm, method = "beta")
cat("capacity", coef(k), attr(k, "ci"), "\n")
