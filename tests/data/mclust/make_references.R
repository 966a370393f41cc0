# Reference tables from R mclust for the tests of the mclust covariance models,
# the conjugate prior and the hierarchical start.
#
# Run from the repository root, after make_data.py:
#
#     Rscript tests/data/mclust/make_references.R
#
# It reads the data sets written by make_data.py and writes, into the same folder:
#   bic.csv                  BIC, loglik, df per data set x prior x model x G
#   params_<data>.csv.gz     fitted parameters (long format)
#   hc_<data>.csv            hclass() of the start mclustBIC uses (use = hcUse)
#   hc_<data>_vars.csv       hclass() of hc(use = "VARS")
#   hc_<data>_merges.csv     merge pairs of hc(use = "VARS")
#   hc_<data>_svd_merges.csv merge pairs of hc(use = hcUse)
#   priors.csv               defaultPrior() per data set x model x G in {1, 3}
#   notes.txt                versions, options, defaults, failures, warnings
#
# The script only calls mclust's public functions and writes their results.
# MCLUST_REF_DATASETS=iris,wine limits a run to some data sets (for trying it out;
# bic.csv and priors.csv then hold those only).

suppressPackageStartupMessages(library(mclust))

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(script)) dirname(normalizePath(script)) else "tests/data/mclust"

datasets <- c("faithful", "iris", "wine", "blobs3", "mix5d")
if (nzchar(Sys.getenv("MCLUST_REF_DATASETS"))) datasets <- strsplit(Sys.getenv("MCLUST_REF_DATASETS"), ",")[[1]]
models <- mclust.options("emModelNames")
stopifnot(length(models) == 14)
Gs <- 1:9
paramsG <- list(wine = 1:5)
priors <- list(none = NULL, default = priorControl())

fmt <- function(x) { x <- as.numeric(x); ifelse(is.na(x), "NA", sprintf("%.17g", x)) }
out <- function(name) file.path(here, name)
same <- function(a, b) abs(as.numeric(a) - as.numeric(b)) <= 1e-12 * abs(as.numeric(b))

notes <- character()
note <- function(...) notes <<- c(notes, paste0(...))
warned <- character()

# Fit one (model, G) exactly as Mclust does it; NULL when mclust cannot fit it.
fit <- function(X, model, G, prior) {
  withCallingHandlers(
    tryCatch(
      Mclust(X, G = G, modelNames = model, prior = prior, verbose = FALSE),
      error = function(e) NULL
    ),
    warning = function(w) {
      warned <<- c(warned, conditionMessage(w))
      invokeRestart("muffleWarning")
    }
  )
}

# Long rows (k, i, j, value) of one parameter; k is the component, 0 if common.
long <- function(what, x, d, G) {
  dims <- dim(x)
  x <- as.numeric(x)
  n <- length(x)
  if (what == "sigma" || (what == "orientation" && length(dims) == 3)) {
    g <- n %/% (d * d)                            # d x d x G
    return(data.frame(what, k = rep(seq_len(g), each = d * d),
                      i = rep(seq_len(d), d * g),
                      j = rep(rep(seq_len(d), each = d), g), value = x))
  }
  if (what == "orientation") {                    # d x d, common
    return(data.frame(what, k = 0, i = rep(seq_len(d), d),
                      j = rep(seq_len(d), each = d), value = x))
  }
  if (what == "mean" || (what == "shape" && length(dims) == 2)) {
    g <- n %/% d                                  # d x G
    return(data.frame(what, k = rep(seq_len(g), each = d),
                      i = rep(seq_len(d), g), j = 0, value = x))
  }
  if (what == "shape") {                          # d, common
    return(data.frame(what, k = 0, i = seq_len(d), j = 0, value = x))
  }
  if (what %in% c("pro", "scale", "sigmasq") && n > 1) {   # G
    return(data.frame(what, k = seq_len(n), i = 0, j = 0, value = x))
  }
  if (what %in% c("loglik", "dens_loglik", "pro", "scale", "sigmasq")) {  # scalar
    return(data.frame(what, k = if (what == "pro") 1 else 0, i = 0, j = 0, value = x))
  }
  stop("unknown parameter ", what)
}

bicRows <- list()
priorRows <- list()
failedPrior <- character()

for (name in datasets) {
  X <- as.matrix(read.csv(out(paste0(name, ".csv"))))
  n <- nrow(X)
  d <- ncol(X)
  cat(name, n, d, "\n")

  # Hierarchical starts.
  hcStart <- hc(X, modelName = mclust.options("hcModelName"),
                use = mclust.options("hcUse"))
  hcVars <- hc(X, modelName = "VVV", use = "VARS")
  for (h in list(list(hcStart, ""), list(hcVars, "_vars"))) {
    cl <- hclass(h[[1]], Gs)
    colnames(cl) <- paste0("G", Gs)
    write.csv(cl, out(sprintf("hc_%s%s.csv", name, h[[2]])), row.names = FALSE,
              quote = FALSE)
  }
  for (h in list(list(hcVars, "_merges"), list(hcStart, "_svd_merges"))) {
    m <- t(unclass(h[[1]])[, , drop = FALSE])
    m <- matrix(as.integer(m), ncol = 2, dimnames = list(NULL, c("a", "b")))
    write.csv(m, out(sprintf("hc_%s%s.csv", name, h[[2]])), row.names = FALSE,
              quote = FALSE)
  }
  part <- attr(hcVars, "initialPartition")
  note("hc ", name, ": n = ", n, ", duplicated rows = ", sum(duplicated(X)),
       ", merges = ", ncol(unclass(hcVars)), ", initialPartition groups = ",
       length(unique(part)))

  # Default prior.
  for (model in models) for (G in c(1, 3)) {
    p <- defaultPrior(X, G = G, modelName = model)
    for (what in names(p)) {
      v <- p[[what]]
      if (is.matrix(v)) {
        i <- rep(seq_len(nrow(v)), ncol(v)); j <- rep(seq_len(ncol(v)), each = nrow(v))
      } else if (length(v) > 1) {
        i <- seq_along(v); j <- 0
      } else {
        i <- 0; j <- 0
      }
      priorRows[[length(priorRows) + 1]] <- data.frame(
        dataset = name, model = model, G = G, what = what, i = i, j = j,
        value = fmt(v))
    }
  }

  # BIC tables and fits.
  paramRows <- list()
  for (pname in names(priors)) {
    prior <- priors[[pname]]
    warned <- character()
    bic <- withCallingHandlers(
      mclustBIC(X, G = Gs, modelNames = models, prior = prior, verbose = FALSE),
      warning = function(w) {
        warned <<- c(warned, conditionMessage(w))
        invokeRestart("muffleWarning")
      })
    codes <- attr(bic, "returnCodes")
    if (length(warned)) {
      note("warnings mclustBIC ", name, " prior=", pname, ": ",
           paste(unique(warned), collapse = " | "))
    }
    missing <- setdiff(models, colnames(bic))
    if (length(missing)) {
      failedPrior <- union(failedPrior, missing)
      note("mclustBIC ", name, " prior=", pname, " returned no column for: ",
           paste(missing, collapse = " "))
    }
    for (model in missing) {
      e <- suppressWarnings(me(X, modelName = model, z = unmap(hclass(hcStart, 2)),
                               prior = prior))
      note("me() ", name, " prior=", pname, " ", model, " G=2: return code ",
           attr(e, "returnCode"), ", ", attr(e, "WARNING"))
    }
    warned <- character()
    for (model in models) for (G in Gs) {
      b <- if (model %in% colnames(bic)) bic[as.character(G), model] else NA
      rc <- if (model %in% colnames(codes)) codes[as.character(G), model] else NA
      loglik <- NA; df <- NA; iters <- NA
      if (!is.na(b)) {
        m <- fit(X, model, G, prior)
        if (is.null(m)) {
          note("Mclust failed where mclustBIC has a BIC: ", name, " ", pname,
               " ", model, " G=", G)
        } else {
          if (!same(m$bic, b)) {
            note("Mclust bic differs from mclustBIC: ", name, " ", pname, " ",
                 model, " G=", G, ": ", fmt(m$bic), " vs ", fmt(b))
          }
          loglik <- m$loglik
          df <- m$df
          # The same EM from the same start (G > 1): me() returns the parameters
          # at which loglik is evaluated; Mclust's parameters come from one more
          # M-step (mstep on me's z). For G = 1 both are the single fit.
          mePar <- m$parameters
          if (G > 1) {
            z <- unmap(hclass(hcStart, G))
            e <- suppressWarnings(me(X, modelName = model, z = z, prior = prior))
            iters <- attr(e, "info")[1]
            mePar <- e$parameters
            if (!same(e$loglik, loglik)) {
              note("me() loglik differs from Mclust: ", name, " ", pname, " ",
                   model, " G=", G)
            }
          }
          if (G %in% (if (is.null(paramsG[[name]])) Gs else paramsG[[name]])) {
            for (f in list(list("Mclust", m$parameters), list("me", mePar))) {
              par <- f[[2]]
              v <- par$variance
              parts <- list(long("pro", par$pro, d, G), long("mean", par$mean, d, G),
                            long("sigma", v$sigma, d, G), long("loglik", loglik, d, G))
              # The log-likelihood at these parameters (mclust's dens).
              el <- tryCatch(sum(dens(X, modelName = m$modelName, parameters = par,
                                      logarithm = TRUE)), error = function(e) NA)
              parts[[length(parts) + 1]] <- long("dens_loglik", el, d, G)
              for (what in c("sigmasq", "scale", "shape", "orientation")) {
                if (!is.null(v[[what]])) {
                  parts[[length(parts) + 1]] <- long(what, v[[what]], d, G)
                }
              }
              rows <- do.call(rbind, parts)
              rows$value <- fmt(rows$value)
              paramRows[[length(paramRows) + 1]] <- cbind(
                data.frame(prior = pname, fit = f[[1]], model = model, G = G), rows)
            }
          }
        }
      }
      bicRows[[length(bicRows) + 1]] <- data.frame(
        dataset = name, prior = pname, model = model, G = G, bic = fmt(b),
        loglik = fmt(loglik), df = ifelse(is.na(df), "NA", as.character(df)),
        n = n, converged = ifelse(is.na(b) | is.na(rc), "NA",
                                  ifelse(rc == 0, "TRUE", "FALSE")),
        return_code = ifelse(is.na(rc), "NA", as.character(rc)),
        iterations = ifelse(is.na(iters), "NA", as.character(iters)))
    }
    if (length(warned)) {
      note("warnings Mclust ", name, " prior=", pname, ": ",
           paste(unique(warned), collapse = " | "))
    }
  }
  con <- gzfile(out(sprintf("params_%s.csv.gz", name)), "w")
  write.csv(do.call(rbind, paramRows), con, row.names = FALSE, quote = FALSE)
  close(con)
}

bicAll <- do.call(rbind, bicRows)
write.csv(bicAll, out("bic.csv"), row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, priorRows), out("priors.csv"), row.names = FALSE,
          quote = FALSE)

for (name in datasets) for (pname in names(priors)) {
  r <- bicAll[bicAll$dataset == name & bicAll$prior == pname & bicAll$bic == "NA", ]
  cells <- if (nrow(r)) {
    paste(tapply(seq_len(nrow(r)), factor(r$model, levels = unique(r$model)),
                 function(ix) paste0(r$model[ix[1]], " G=", paste(r$G[ix], collapse = ","),
                                     " (code ", paste(unique(r$return_code[ix]),
                                                      collapse = ","), ")")),
          collapse = "; ")
  } else "none"
  note("NA cells ", name, " prior=", pname, ": ", cells)
}

opts <- mclust.options()
ctrl <- emControl()
header <- c(
  "Reference tables from R mclust (written by make_references.R).",
  paste0("R: ", R.version.string),
  paste0("mclust: ", as.character(packageVersion("mclust"))),
  paste0("mclust.options hcUse: ", opts$hcUse),
  paste0("mclust.options hcModelName: ", paste(opts$hcModelName, collapse = " ")),
  paste0("mclust.options subset: ", opts$subset),
  paste0("mclust.options emModelNames: ", paste(opts$emModelNames, collapse = " ")),
  paste0("emControl eps: ", fmt(ctrl$eps)),
  paste0("emControl tol: ", paste(fmt(ctrl$tol), collapse = " ")),
  paste0("emControl itmax: ", paste(ctrl$itmax, collapse = " ")),
  paste0("emControl equalPro: ", ctrl$equalPro),
  paste0("priorControl(): ", paste(names(priorControl()), sapply(priorControl(), format),
                                   sep = "=", collapse = ", ")),
  paste0("models without a fit under the default prior: ",
         if (length(failedPrior)) paste(failedPrior, collapse = " ") else "none"),
  "",
  "Index conventions (params_*.csv.gz, priors.csv): k is the 1-based component,",
  "0 for a parameter common to all components; i, j are 1-based feature indices,",
  "0 where the parameter has no such axis. sigma is always the full (d, d, G) array.",
  "bic.csv: bic = 2*loglik - df*log(n) (mclust's sign, larger is better); NA where",
  "mclust returned no BIC; return_code is mclustBIC's returnCodes (0 = converged);",
  "iterations is the EM iteration count of me() from the same hc start (G > 1).",
  "params fit=Mclust: Mclust()$parameters; fit=me: the parameters of me() run from the",
  "same hc start (what mclustBIC runs). Mclust's parameters are one M-step further:",
  "mstep() on me's final z. loglik (what=loglik, as in bic.csv) is evaluated at the me",
  "parameters; what=dens_loglik is sum(dens(data, logarithm = TRUE)) at the stored",
  "parameters, so it equals loglik for fit=me and differs slightly for fit=Mclust.",
  "For G = 1 both fits are the single-component fit and agree.",
  "With the prior, mclust's loglik is the plain log-likelihood (no prior term).",
  paste0("hc(): its own default use is \"", formals(hc)$use, "\"; mclustBIC's start ",
         "passes use = hcUse, as hc_<data>.csv does; hc_<data>_vars.csv uses \"VARS\"."),
  "hc merges (hc_<data>_merges.csv: VARS, hc_<data>_svd_merges.csv: hcUse): row s",
  "names the two clusters joined at stage s by their smallest observation index",
  "(a < b); cluster b joins cluster a. Duplicated rows are not merged beforehand",
  "(initialPartition is 1..n for every data set here).",
  "return_code seen: -1 without the prior (a covariance became singular), -3 with the",
  "prior (a mixing proportion went to zero, as mclust's warning says).",
  "params_wine.csv.gz holds G = 1..5 only; the other data sets G = 1..9.",
  "For G = 1 mclust fits the single-component model (its modelName is then XII, XXI or",
  "XXX), and parameters$variance has no scale/shape/orientation for the models that",
  "reduce to XXX; bic.csv and params keep the requested model name.",
  "",
  "Observations:")
writeLines(c(header, notes), out("notes.txt"))
