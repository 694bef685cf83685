//! The distributions, one per file.

pub(crate) mod logistic;
pub(crate) mod logit_relaxed_bernoulli;
pub(crate) mod relaxed_bernoulli;
