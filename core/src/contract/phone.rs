//! Phone numbers for a call-back: mainland China mobile numbers and international E.164.
//!
//! Accepts what people type — spaces, dashes, dots, brackets, a leading `00` or `+86` — and
//! returns the number in E.164 form (`+8613812345678`), or `None`. `mask` is how a number
//! shows to everyone who has not revealed it: `138****3788`.

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

/// A phone as it shows unrevealed, in the dashboard, the export and the API. A mainland
/// mobile in its domestic form, the first 3 and last 4 digits kept (`138****3788`); another
/// number in E.164 with `+`, its first 3 digits (fewer for numbers under 11 digits) and last 4
/// kept; at least 4 stars always, one per hidden digit. What is not a phone number shows as
/// `****`: nothing of it.
pub fn mask(phone: &str) -> String {
    let Some(e164) = normalize(phone) else {
        return "****".to_owned();
    };
    let (plus, digits) = match e164.strip_prefix("+86") {
        Some(national) => ("", national),
        None => ("+", &e164[1..]),
    };
    let n = digits.len();
    let head = 3.min(n.saturating_sub(8));
    let tail = &digits[n - 4..];
    format!(
        "{plus}{}{}{tail}",
        &digits[..head],
        "*".repeat(n - 4 - head)
    )
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
    use super::{mask, normalize};

    #[test]
    fn masks() {
        let check = |input: &str, want: &str| assert_eq!(mask(input), want, "{input:?}");
        check("+8613812343788", "138****3788");
        check("138 1234 3788", "138****3788");
        check("+86 199 0000 1111", "199****1111");
        check("+85291234567", "+852****4567");
        check("+886912345678", "+886*****5678");
        check("+14155550123", "+141****0123");
        check("+447700900123", "+447*****0123");
        check("+4912345678", "+49****5678"); // 10 digits: 2 kept ahead
        check("+12345678", "+****5678"); // 8 digits: only the last 4
        check("+123456789012345", "+123********2345"); // 15 digits
        check("not a phone", "****");
        check("", "****");
        // Never more than 7 digits of a number show, and never its middle.
        for input in [
            "+8613812343788",
            "+85291234567",
            "+123456789012345",
            "+12345678",
        ] {
            let masked = mask(input);
            let shown = masked.chars().filter(char::is_ascii_digit).count();
            assert!(shown <= 7 && masked.contains("****"), "{input} {masked}");
        }
    }

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
