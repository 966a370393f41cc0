# Reference fits of mclust's noise component (Banfield & Raftery 1993) for
# the tests of GaussianMixture(noise_component=True).
#
# Run from the repository root, after make_data.py:
#
#     Rscript tests/data/mclust_noise/make_references.R
#
# Reads contaminated.csv and contaminated_noise.csv (the start: 1 marks the
# points that begin as noise) and writes, into the same folder:
#   noise_fits.csv     per model and G: loglik, bic, df, the hypervolume V
#                      mclust used (1 / Vinv) and hypvol() of the data
#   noise_params.csv   long format: model, G, what (pro, mean, sigma), k, i, j,
#                      value; pro has G + 1 entries, the last the noise's
#   noise_labels.csv   per model and G: mclust's classification (0 = noise)
#   notes.txt          versions
# The script only calls mclust's public functions and writes their results.

suppressPackageStartupMessages(library(mclust))

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(script)) dirname(normalizePath(script)) else "tests/data/mclust_noise"

X <- as.matrix(read.csv(file.path(here, "contaminated.csv")))
start <- read.csv(file.path(here, "contaminated_noise.csv"))$noise == 1
fmt <- function(x) sprintf("%.17g", x)

models <- c("EII", "VII", "EEE", "VVV")
fits <- list()
params <- list()
labels <- list()
for (model in models) {
  for (G in 1:3) {
    fit <- Mclust(X, G = G, modelNames = model, initialization = list(noise = start),
                  verbose = FALSE)
    if (is.null(fit)) next
    p <- fit$parameters
    fits[[length(fits) + 1]] <- data.frame(
      model = model, G = G, loglik = fmt(fit$loglik), bic = fmt(fit$bic),
      df = fit$df, V = fmt(1 / p$Vinv), hypvol = fmt(hypvol(X)))
    d <- ncol(X)
    rows <- data.frame(what = "pro", k = seq_along(p$pro), i = 0, j = 0, value = fmt(p$pro))
    mean <- matrix(p$mean, nrow = d)
    for (k in 1:G) {
      rows <- rbind(rows, data.frame(what = "mean", k = k, i = 1:d, j = 0, value = fmt(mean[, k])))
      sigma <- p$variance$sigma[, , k]
      for (i in 1:d) {
        rows <- rbind(rows, data.frame(what = "sigma", k = k, i = i, j = 1:d, value = fmt(sigma[i, ])))
      }
    }
    params[[length(params) + 1]] <- cbind(data.frame(model = model, G = G), rows)
    labels[[paste0(model, "_", G)]] <- fit$classification
  }
}
write.csv(do.call(rbind, fits), file.path(here, "noise_fits.csv"), row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, params), file.path(here, "noise_params.csv"), row.names = FALSE, quote = FALSE)
write.csv(as.data.frame(labels), file.path(here, "noise_labels.csv"), row.names = FALSE, quote = FALSE)
writeLines(c(
  paste("R:", R.version.string),
  paste("mclust:", as.character(packageVersion("mclust"))),
  "Mclust(X, G, modelNames, initialization = list(noise = start)) with mclust's defaults;",
  "V = 1 / parameters$Vinv (mclust's default Vinv is hypvol(X, reciprocal = TRUE))."
), file.path(here, "notes.txt"))
