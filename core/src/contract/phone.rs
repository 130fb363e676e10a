//! Phone numbers for a call-back: mainland China mobile numbers and international E.164.
//!
//! Accepts what people type — spaces, dashes, dots, brackets, a leading `00` or `+86` — and
//! returns the number in E.164 form (`+8613812345678`), or `None`.

/// Normalises a phone number to E.164, or `None` if it is not a plausible mobile number.
pub fn normalize(input: &str) -> Option<String> {
    let trimmed = input.trim();
    if trimmed.is_empty() || trimmed.chars().count() > crate::contract::rules::MAX_PHONE_INPUT {
        return None;
    }
    let plus = trimmed.starts_with('+');
    let mut digits = String::with_capacity(16);
    for (i, c) in trimmed.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => {}
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    let international = if plus {
        Some(digits.as_str())
    } else {
        digits.strip_prefix("00")
    };
    match international {
        Some(rest) => {
            if let Some(cn) = rest.strip_prefix("86") {
                return is_mainland_mobile(cn).then(|| format!("+86{cn}"));
            }
            let ok = (8..=15).contains(&rest.len()) && !rest.starts_with('0');
            ok.then(|| format!("+{rest}"))
        }
        None => is_mainland_mobile(&digits).then(|| format!("+86{digits}")),
    }
}

/// 11 digits, starting 13–19.
fn is_mainland_mobile(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn table() {
        let check = |input: &str, want: Option<&str>| {
            assert_eq!(normalize(input).as_deref(), want, "{input:?}")
        };
        check("13812345678", Some("+8613812345678"));
        check("138 1234 5678", Some("+8613812345678"));
        check("138-1234-5678", Some("+8613812345678"));
        check("+86 138 1234 5678", Some("+8613812345678"));
        check("008613812345678", Some("+8613812345678"));
        check("19912345678", Some("+8619912345678"));
        check("+85291234567", Some("+85291234567"));
        check("+886 912 345 678", Some("+886912345678"));
        check("+1 (415) 555-0123", Some("+14155550123"));
        check("+44 7700 900123", Some("+447700900123"));
        check("12812345678", None); // no 12x mobile prefix
        check("1381234567", None); // 10 digits
        check("+86 1381234567", None);
        check("+0123456789", None);
        check("+1234567", None); // too short for E.164 mobile
        check("+1234567890123456", None); // 16 digits
        check("0912345678", None); // a local number without a country code
        check("138x1234x5678", None);
        check("", None);
        check("++8613812345678", None);
    }
}
