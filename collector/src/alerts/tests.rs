//! The alert module's tables.
