# R reference for the study PFS analysis of test/pfs/support/pfs-scenario.ts (SPEC §3):
#   survfit(Surv(AVAL, CNSR == 0) ~ 1, conf.type = "log-log")
# fitted on the ADTTE rows the ledger exported for the scenario, recording what the PFS JSON must
# match: summary(fit, censored = TRUE), the median and its CI as print(fit) reports them, and
# summary(fit, times = c(182, 365)).
#
# Regenerate (from the repository root; needs r-base-core, r-cran-survival, r-cran-jsonlite):
#   Rscript test/pfs/r/pfs-scenario-reference.R test/pfs/fixtures/scenario-adtte.csv test/pfs/fixtures/scenario-r-reference.json

suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
adtte <- read.csv(args[1], stringsAsFactors = FALSE)
num_or_null <- function(x) if (length(x) == 0 || is.na(x)) NULL else unname(x)

fit <- survfit(Surv(AVAL, CNSR == 0) ~ 1, data = adtte, conf.type = "log-log")
s <- summary(fit, censored = TRUE)
km <- lapply(seq_along(s$time), function(i) list(
  time = s$time[i], nRisk = s$n.risk[i], nEvent = s$n.event[i], nCensor = s$n.censor[i],
  survival = num_or_null(s$surv[i]), stdErr = num_or_null(s$std.err[i]),
  lower = num_or_null(s$lower[i]), upper = num_or_null(s$upper[i])
))
table <- summary(fit)$table
rates <- lapply(c(182, 365), function(day) {
  r <- tryCatch(summary(fit, times = day), error = function(e) NULL)
  if (is.null(r) || length(r$time) == 0) return(list(day = day, reported = FALSE, survival = NULL, lower = NULL, upper = NULL))
  list(day = day, reported = TRUE, survival = num_or_null(r$surv[1]), lower = num_or_null(r$lower[1]), upper = num_or_null(r$upper[1]))
})
out <- list(
  generatedBy = sprintf("R %s, survival %s", getRversion(), packageVersion("survival")),
  input = list(time = adtte$AVAL, status = as.integer(adtte$CNSR == 0)),
  km = km,
  median = list(
    estimate = num_or_null(table[["median"]]),
    lower = num_or_null(table[["0.95LCL"]]),
    upper = num_or_null(table[["0.95UCL"]])
  ),
  rates = rates
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", pretty = TRUE), args[2])
