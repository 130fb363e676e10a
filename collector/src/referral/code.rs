//! A referral code: 12 random bytes and the first 6 bytes of their tag under the collector's
//! referral key (`Keys::referral_tag`), in URL-safe base64 (24 characters, 144 bits). A code
//! is checked (its shape, then its tag in constant time) before any database read, so a
//! guessed or forged code costs the database nothing and is a plain "not found".

use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::keys::Keys;

const RANDOM: usize = 12;
const TAG: usize = 6;

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
}

/// A new code.
pub fn make(keys: &Keys) -> String {
    // 244 random bits (two v4 UUIDs), hashed down to the 96 the code keeps.
    let seed = Sha256::digest(crate::write_key::secret().as_bytes());
    let random = &seed[..RANDOM];
    let mut bytes = random.to_vec();
    bytes.extend_from_slice(&keys.referral_tag(random)[..TAG]);
    b64().encode(bytes)
}

/// Whether `code` is one this collector's key made (shape, then tag, in constant time).
pub fn verify(keys: &Keys, code: &str) -> bool {
    if !nps_core::growth::referral::looks_like_code(code) {
        return false;
    }
    let Ok(bytes) = b64().decode(code) else {
        return false;
    };
    if bytes.len() != RANDOM + TAG {
        return false;
    }
    let (random, tag) = bytes.split_at(RANDOM);
    keys.referral_tag(random)[..TAG].ct_eq(tag).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_verifies_under_its_key_only_and_a_changed_character_fails() {
        let keys = Keys::for_tests(b"one");
        let other = Keys::for_tests(b"two");
        let code = make(&keys);
        assert_eq!(code.len(), nps_core::growth::referral::CODE_LEN);
        assert!(verify(&keys, &code));
        assert!(!verify(&other, &code), "another collector's key");
        assert_ne!(make(&keys), code, "random");
        for i in 0..code.len() {
            let mut forged: Vec<u8> = code.bytes().collect();
            forged[i] = if forged[i] == b'A' { b'B' } else { b'A' };
            let forged = String::from_utf8(forged).unwrap();
            assert!(!verify(&keys, &forged), "{forged}");
        }
        assert!(!verify(&keys, ""));
        assert!(!verify(&keys, &code[..23]));
        assert!(!verify(&keys, &format!("{code}A")));
    }
}
