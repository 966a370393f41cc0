# Time R mclust's EM per iteration, for benchmarks/models.py.
#
# Usage: Rscript models_mclust.R DATA.csv Z.csv MODELS ITERATIONS REPEATS OUT.csv
#
# DATA.csv holds the samples (one row each, no header), Z.csv the shared
# start (responsibilities, one column per component), MODELS mclust's model
# names separated by commas. For every model, me() (an M-step from Z, then
# E-steps and M-steps in turn: mclust's own Fortran) runs with tol = 0 on the
# log-likelihood, so it stops at the iteration limit: once with 1 iteration
# and once with ITERATIONS, each timed by system.time, REPEATS times after
# one untimed run. The inner loops of the iterative M-steps (VEI, VEE, EVE,
# VVE, VEV) keep mclust's defaults (tolerance sqrt(machine epsilon), no
# limit). OUT.csv gets a row per model and repeat: the two elapsed times in
# seconds, the iterations run, the inner iterations of the last M-step
# (NA for the models without), and the final log-likelihood.

suppressPackageStartupMessages(library(mclust))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 6) {
  stop("usage: Rscript models_mclust.R DATA.csv Z.csv MODELS ITERATIONS REPEATS OUT.csv")
}
read_matrix <- function(path) as.matrix(read.csv(path, header = FALSE))
X <- read_matrix(args[1])
z <- read_matrix(args[2])
models <- strsplit(args[3], ",", fixed = TRUE)[[1]]
iterations <- as.integer(args[4])
repeats <- as.integer(args[5])

control <- function(itmax) {
  emControl(
    tol = c(0, sqrt(.Machine$double.eps)),
    itmax = c(itmax, .Machine$integer.max)
  )
}

run <- function(model, itmax) {
  fit <- NULL
  elapsed <- system.time(
    fit <- me(modelName = model, data = X, z = z, control = control(itmax))
  )[["elapsed"]]
  info <- attr(fit, "info")
  inner <- attr(info, "inner")
  list(
    elapsed = elapsed,
    iterations = abs(info[[1]]),
    inner = if (is.null(inner)) NA else inner[[1]],
    loglik = fit$loglik
  )
}

rows <- list()
for (model in models) {
  run(model, 1)
  for (r in seq_len(repeats)) {
    one <- run(model, 1)
    many <- run(model, iterations)
    rows[[length(rows) + 1]] <- data.frame(
      model = model,
      rep = r,
      seconds_1 = one$elapsed,
      seconds_k = many$elapsed,
      iterations = many$iterations,
      inner = many$inner,
      loglik = many$loglik
    )
  }
}
write.csv(do.call(rbind, rows), args[6], row.names = FALSE)
