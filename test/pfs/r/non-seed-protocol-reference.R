# Reference figures for test/pfs/non-seed-protocol.e2e-spec.ts: a study whose protocol is not the seed's
# (assessments every 56 ± 5 days, so 2 × 56 + 5 = 117 days for two missed assessments; horizon 540 days;
# landmark rates at 180, 360 and 540 days). AVAL and CNSR are the rows the spec expects the ledger to derive.
#   Rscript test/pfs/r/non-seed-protocol-reference.R
# R 4.2.2, survival 3.5.3.
library(survival)
aval <- c(113, 1, 174, 57, 505, 61, 113, 169)
cnsr <- c(0, 3, 0, 3, 4, 0, 2, 4)
fit <- survfit(Surv(aval, cnsr == 0) ~ 1, conf.type = "log-log")
print(fit)
s <- summary(fit, censored = TRUE)
print(data.frame(time = s$time, n.risk = s$n.risk, n.event = s$n.event, surv = s$surv, std.err = s$std.err, lower = s$lower, upper = s$upper), digits = 10)
r <- summary(fit, times = c(180, 360))   # 540 lies past the last time (505): R reports nothing there without extend
print(data.frame(time = r$time, surv = r$surv, lower = r$lower, upper = r$upper), digits = 10)
