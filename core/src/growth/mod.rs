//! Growing promoters and knowing who answers (feature `growth`, the collector's and the
//! dashboard's, never the widget's): `referral`, a promoter's code and what it brought.

pub mod referral;
