# Reference Kaplan-Meier figures from R's `survival` package, the reference named in SPEC §3 (PFS):
#   survfit(Surv(time, status) ~ 1, conf.type = "log-log")
# For each data set this records the input, `summary(fit, censored = TRUE)` (one row per distinct
# time), the median with its CI as `print(fit)` reports it (`summary(fit)$table`), and
# `summary(fit, times = ...)` at 182 and 365 days plus a grid of probe days.
#
# Regenerate (from the repository root):
#   Rscript scripts/r/km-fixtures.R libs/survival/src/fixtures/km-reference.json
#
# Needs Debian's r-base-core, r-cran-survival and r-cran-jsonlite. The Jest suite in libs/survival
# reads the committed JSON and never needs R.

suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
out_path <- if (length(args) >= 1) args[1] else "libs/survival/src/fixtures/km-reference.json"

# NA (R's "not reached" / "not estimable") and NaN (0 * Inf in std.err when S = 0) both become null.
num_or_null <- function(x) if (length(x) == 0 || is.na(x)) NULL else unname(x)

fit_km <- function(time, status, conf_level) {
  survfit(Surv(time, status) ~ 1, conf.type = "log-log", conf.int = conf_level)
}

# What summary(fit, times = day) reports, one day at a time: R drops days past the largest observed
# time (extend = FALSE) and stops with "no points selected" when nothing is left. Both are recorded
# as reported = FALSE; the TypeScript library answers null there.
at_day <- function(fit, day) {
  s <- tryCatch(summary(fit, times = day), error = function(e) NULL)
  if (is.null(s) || length(s$time) == 0) {
    return(list(day = day, reported = FALSE, survival = NULL, stdErr = NULL, lower = NULL, upper = NULL))
  }
  list(
    day = day, reported = TRUE, nRisk = s$n.risk[1],
    survival = num_or_null(s$surv[1]), stdErr = num_or_null(s$std.err[1]),
    lower = num_or_null(s$lower[1]), upper = num_or_null(s$upper[1])
  )
}

make_fixture <- function(name, description, time, status, conf_level = 0.95) {
  fit <- fit_km(time, status, conf_level)
  s <- summary(fit, censored = TRUE)
  km <- lapply(seq_along(s$time), function(i) list(
    time = s$time[i], nRisk = s$n.risk[i], nEvent = s$n.event[i], nCensor = s$n.censor[i],
    survival = num_or_null(s$surv[i]), stdErr = num_or_null(s$std.err[i]),
    lower = num_or_null(s$lower[i]), upper = num_or_null(s$upper[i])
  ))

  table <- summary(fit)$table
  lcl <- paste0(conf_level, "LCL")
  ucl <- paste0(conf_level, "UCL")
  # print(fit) calls survmean() on the fit itself, summary()$table on survfit0(fit); they must agree.
  printed <- survival:::survmean(fit, rmean = "none")$matrix
  stopifnot(identical(unname(printed[c("median", lcl, ucl)]), unname(table[c("median", lcl, ucl)])))

  times <- sort(unique(time))
  # Large data sets are probed at about 50 of their times to keep the fixture file small.
  if (length(times) > 50) times <- times[unique(c(seq(1, length(times), by = ceiling(length(times) / 50)), length(times)))]
  probes <- sort(unique(c(
    0, times, times + 0.5, pmax(times - 1, 0), max(time) + 1, 182, 365
  )))

  list(
    name = name, description = description, confLevel = conf_level,
    input = list(time = I(time), status = I(as.integer(status))),
    km = km,
    median = list(
      estimate = num_or_null(table[["median"]]),
      lower = num_or_null(table[[lcl]]),
      upper = num_or_null(table[[ucl]])
    ),
    rates = lapply(c(182, 365), function(d) at_day(fit, d)),
    probes = lapply(probes, function(d) at_day(fit, d))
  )
}

fixtures <- list()
add <- function(...) fixtures[[length(fixtures) + 1]] <<- make_fixture(...)

add("n1-event", "a single subject with an event", c(120), c(1))
add("n1-censored", "a single censored subject", c(120), c(0))
add("n2-event-then-censor", "two subjects, event then censoring", c(90, 400), c(1, 0))
add("n2-two-events", "two events: S = 0.5 between them, median is their midpoint", c(100, 300), c(1, 1))
add("n3-censor-first", "first time censored: S = 1 row with CI not estimable", c(50, 200, 380), c(0, 1, 1))
add("n3-drop-to-zero", "curve falls from 1 straight to 0: median reached, lower CI not estimable",
    c(100, 200, 300), c(0, 0, 1))
add("n4-exact-half", "four events, S = 0.5 exactly over [200, 300): median 250",
    c(100, 200, 300, 400), c(1, 1, 1, 1))
add("n4-half-to-end", "S = 0.5 exactly until the last (censored) time: median is where it reached 0.5",
    c(100, 200, 300, 400), c(1, 1, 0, 0))
add("n4-half-censor-inside", "S = 0.5 flat with a censoring inside the flat interval",
    c(100, 200, 250, 300), c(1, 1, 0, 1))
add("n8-half-with-ties", "tied events reach S = 0.5 exactly; next drop two events later",
    c(30, 30, 60, 60, 90, 120, 150, 200), c(1, 1, 1, 1, 1, 0, 1, 0))
add("all-censored", "no events at all: S = 1 throughout, nothing estimable",
    c(10, 40, 90, 150, 200, 260, 300, 370, 420, 500), rep(0, 10))
add("no-censoring", "ten distinct event times, no censoring",
    c(12, 35, 61, 88, 130, 170, 190, 250, 310, 420), rep(1, 10))
add("ties-event-and-censor", "events and censorings tied at the same times (censored counted at risk)",
    c(50, 50, 50, 100, 100, 100, 100, 180, 180, 240, 240, 240, 365, 400),
    c(1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 1))
add("all-tied-events", "every subject has the event on one day: S jumps to 0", rep(77, 5), rep(1, 5))
add("time-zero", "events and a censoring on day 0", c(0, 0, 0, 20, 45, 45, 200, 300),
    c(1, 1, 0, 1, 1, 0, 1, 0))
add("last-is-event", "censorings then a final event: S ends at 0, CI not estimable there",
    c(30, 60, 90, 150, 210, 330), c(1, 0, 0, 1, 0, 1))
add("days-0-and-1-only", "every event on day 0 or day 1 (AVAL 1 is enrollment day in ADaM)",
    c(0, 0, 1, 1, 1, 0), c(1, 1, 1, 1, 1, 1))
add("censored-at-landmarks", "censorings exactly on days 182 and 365, events the day after each",
    c(50, 182, 182, 183, 365, 365, 366), c(1, 0, 0, 1, 0, 0, 1))
add("event-at-landmarks", "events exactly on days 182 and 365: the rates include them",
    c(100, 182, 365, 400, 400), c(0, 1, 1, 0, 0))
add("long-follow-up", "follow-up over decades: events and censorings up to 36,500 days",
    c(30, 90, 3650, 7300, 36500, 36500), c(1, 1, 0, 1, 0, 1))

set.seed(20240601)
t28 <- pmax(1, round(rexp(28, rate = 1 / 300)))
c28 <- round(runif(28, 150, 900))
add("n28", "28 subjects, exponential PFS (mean 300 d) with uniform administrative censoring",
    pmin(t28, c28), as.integer(t28 <= c28))

set.seed(1000)
t1000 <- pmax(1, round(rexp(1000, rate = 1 / 250)))
c1000 <- round(runif(1000, 30, 1100))
add("n1000", "1,000 subjects, exponential PFS in whole days (many ties), uniform censoring",
    pmin(t1000, c1000), as.integer(t1000 <= c1000))

set.seed(77)
t50 <- round(rexp(50, rate = 1 / 2000)) + 1
c50 <- round(runif(50, 20, 500))
add("heavy-censoring", "50 subjects, most censored early: median and both CI limits not reached",
    pmin(t50, c50), as.integer(t50 <= c50))

# Seeds 12 and 65 are the first seeds (from 1) that give the shape the description names;
# the checks at the end of this script fail if they ever stop doing so.
set.seed(12)
t40 <- round(rexp(40, rate = 1 / 700)) + 1
c40 <- round(runif(40, 200, 900))
add("median-not-reached", "40 subjects, S stays above 0.5: median not reached, lower CI limit reached",
    pmin(t40, c40), as.integer(t40 <= c40))

set.seed(65)
t30 <- round(rexp(30, rate = 1 / 150)) + 1
c30 <- round(runif(30, 100, 400))
add("upper-ci-not-reached", "median reached but the upper confidence curve never falls to 0.5",
    pmin(t30, c30), as.integer(t30 <= c30))

set.seed(99)
t100 <- signif(rexp(100, rate = 1 / 200), 6)
c100 <- signif(runif(100, 50, 700), 6)
add("fractional-times", "100 subjects with non-integer times (months-like decimals)",
    pmin(t100, c100), as.integer(t100 <= c100))

set.seed(7)
t200 <- 7 * pmax(1, round(rexp(200, rate = 1 / 30)))
c200 <- 7 * round(runif(200, 4, 60))
add("weekly-visits", "200 subjects assessed weekly: few distinct times, heavy ties",
    pmin(t200, c200), as.integer(t200 <= c200))

add("conf-level-90", "the n28 data with a 90 % confidence level",
    pmin(t28, c28), as.integer(t28 <= c28), conf_level = 0.90)
add("conf-level-99", "the n28 data with a 99 % confidence level",
    pmin(t28, c28), as.integer(t28 <= c28), conf_level = 0.99)

# Each shape the fixtures are meant to cover must really be there.
by_name <- setNames(fixtures, vapply(fixtures, function(f) f$name, ""))
med <- function(name) by_name[[name]]$median
stopifnot(
  med("n4-exact-half")$estimate == 250,
  is.null(med("heavy-censoring")$estimate), is.null(med("heavy-censoring")$lower),
  is.null(med("median-not-reached")$estimate), !is.null(med("median-not-reached")$lower),
  !is.null(med("upper-ci-not-reached")$estimate), is.null(med("upper-ci-not-reached")$upper),
  !is.null(med("n3-drop-to-zero")$estimate), is.null(med("n3-drop-to-zero")$lower),
  !is.null(med("n1000")$upper), length(by_name) >= 20
)

doc <- list(
  generatedBy = "Rscript scripts/r/km-fixtures.R libs/survival/src/fixtures/km-reference.json",
  rVersion = R.version.string,
  survivalVersion = as.character(packageVersion("survival")),
  call = "survfit(Surv(time, status) ~ 1, conf.type = \"log-log\", conf.int = confLevel)",
  # qnorm at confidence-level quantiles and in both tails, for the z multiplier of the CI.
  normalQuantiles = lapply(
    c(1e-300, 1e-20, 1e-10, 1e-5, 0.0005, 0.005, 0.025, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 0.975,
      0.995, 0.9995, 1 - 1e-10),
    function(p) list(p = p, q = qnorm(p))
  ),
  fixtures = fixtures
)
writeLines(toJSON(doc, auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = 1), out_path)
cat("wrote", length(fixtures), "fixtures to", out_path, "\n")
