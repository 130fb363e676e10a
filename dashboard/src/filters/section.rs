//! The sections of the page a link can open at (`show=…`).

/// A section of the page a link can open at (`show=…`), by the id of its heading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// The referral funnel (a thank-you alert's link).
    Referrals,
}

impl Section {
    pub const ALL: [Section; 1] = [Section::Referrals];

    pub fn key(self) -> &'static str {
        match self {
            Section::Referrals => "referrals",
        }
    }

    /// The id of the section's heading in the page.
    pub fn heading(self) -> &'static str {
        match self {
            Section::Referrals => "referrals-h",
        }
    }
}
