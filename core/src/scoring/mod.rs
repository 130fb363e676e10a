//! Scoring: a score's category and a tally's NPS with its interval (`score`), and what a manager
//! acts on, computed from tallies (`analysis`).

pub mod analysis;
pub mod score;
