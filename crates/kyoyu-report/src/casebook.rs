//! The casebook (報告事例集): fictional worked examples of reports, each
//! with its facts, the decision and why, in Japanese and English. The tests
//! assess every example's facts and check the recorded decision, so the
//! casebook cannot contradict the engine.
