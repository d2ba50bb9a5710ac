# Kaplan–Meier of each case given on one line of a TSV file (name, conf level, times, statuses, probe days;
# comma-separated), printed with 17 significant digits for libs/survival/src/r-live.spec.ts, which writes the
# file and compares the TypeScript library with this output. Base R and `survival` only (no jsonlite):
#   Rscript scripts/r/km-live.R CASES.tsv
# NA is R's "not estimable"; "none" a day past the last time, which summary(fit, times =) does not report.
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
lines <- readLines(args[1])
f <- function(x) if (length(x) == 0 || is.na(x)) "NA" else sprintf("%.17g", x)
num <- function(s) if (nchar(s) == 0) numeric(0) else as.numeric(strsplit(s, ",")[[1]])
for (ln in lines) {
  p <- strsplit(ln, "\t")[[1]]
  name <- p[1]; conf <- as.numeric(p[2]); time <- num(p[3]); status <- num(p[4]); days <- num(p[5])
  cat("CASE", name, "\n")
  fit <- survfit(Surv(time, status) ~ 1, conf.type = "log-log", conf.int = conf)
  s <- summary(fit, censored = TRUE)
  for (i in seq_along(s$time)) cat("ROW", f(s$time[i]), f(s$n.risk[i]), f(s$n.event[i]), f(s$n.censor[i]), f(s$surv[i]), f(s$std.err[i]), f(s$lower[i]), f(s$upper[i]), "\n")
  tb <- summary(fit)$table
  cat("MEDIAN", f(tb[["median"]]), f(tb[[paste0(conf, "LCL")]]), f(tb[[paste0(conf, "UCL")]]), "\n")
  for (d in days) {
    r <- tryCatch(summary(fit, times = d), error = function(e) NULL)
    if (is.null(r) || length(r$time) == 0) cat("AT", f(d), "none\n") else cat("AT", f(d), f(r$surv[1]), f(r$lower[1]), f(r$upper[1]), "\n")
  }
}
