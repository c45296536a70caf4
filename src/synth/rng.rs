//! A tiny deterministic pseudo-random generator (SplitMix64) and the
//! identifier shapes AWS uses, so generated data is a pure function of the seed.

use sha2::{Digest, Sha256};

/// SplitMix64: small, fast, and good enough for synthetic data. Only integer
/// arithmetic is used, so sequences are identical on every platform.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    state: u64,
}

const LOWER_HEX: &[u8] = b"0123456789abcdef";
const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const MIXED_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

impl Rng {
    /// A stream for `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    /// An independent stream named `label` under `seed`. Each actor or
    /// storyline draws from its own stream, so adding events to one does not
    /// change the identifiers of another.
    pub(crate) fn derive(seed: u64, label: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(seed.to_le_bytes());
        hasher.update(label.as_bytes());
        let digest = hasher.finalize();
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&digest[..8]);
        Rng::new(u64::from_le_bytes(bytes))
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`), without modulo bias worth mentioning.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo) as u64 + 1) as i64
    }

    /// True with probability `per_mille / 1000`.
    pub(crate) fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < u64::from(per_mille)
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Index into `weights`, chosen proportionally to the weights.
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
        let mut roll = self.below(total.max(1));
        for (i, w) in weights.iter().enumerate() {
            if roll < u64::from(*w) {
                return i;
            }
            roll -= u64::from(*w);
        }
        weights.len() - 1
    }

    fn from_alphabet(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| alphabet[self.below(alphabet.len() as u64) as usize] as char)
            .collect()
    }

    pub(crate) fn hex(&mut self, len: usize) -> String {
        self.from_alphabet(LOWER_HEX, len)
    }

    pub(crate) fn upper_alnum(&mut self, len: usize) -> String {
        self.from_alphabet(UPPER_ALNUM, len)
    }

    pub(crate) fn alnum(&mut self, len: usize) -> String {
        self.from_alphabet(MIXED_ALNUM, len)
    }

    pub(crate) fn base64(&mut self, len: usize) -> String {
        self.from_alphabet(BASE64, len)
    }

    /// A version-4 UUID, the shape of CloudTrail eventIDs and most requestIDs.
    pub(crate) fn uuid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        let variant = 8 + (b >> 62);
        format!(
            "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            variant,
            (b >> 48) & 0xfff,
            b & 0xffff_ffff_ffff
        )
    }

    /// An IAM unique ID such as `AIDA...` or `AROA...` (21 characters).
    pub(crate) fn iam_id(&mut self, prefix: &str) -> String {
        format!("{prefix}{}", self.from_alphabet(BASE32, 21 - prefix.len()))
    }

    /// An access key ID: `AKIA...` for long-term keys, `ASIA...` for temporary ones.
    pub(crate) fn access_key(&mut self, prefix: &str) -> String {
        format!("{prefix}{}", self.from_alphabet(BASE32, 16))
    }

    /// An EC2-style resource ID such as `i-0123456789abcdef0`.
    pub(crate) fn ec2_id(&mut self, prefix: &str) -> String {
        format!("{prefix}-0{}", self.hex(16))
    }

    /// An STS session token: opaque base64 of realistic length.
    pub(crate) fn session_token(&mut self) -> String {
        format!("IQoJb3JpZ2luX2VjE{}", self.base64(340))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = Rng::derive(7, "x");
        let mut b = Rng::derive(7, "x");
        assert_eq!(a.uuid(), b.uuid());
        assert_ne!(Rng::derive(7, "x").uuid(), Rng::derive(7, "y").uuid());
    }

    #[test]
    fn uuid_shape() {
        let mut r = Rng::new(1);
        let u = r.uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn range_is_inclusive_and_bounded() {
        let mut r = Rng::new(3);
        for _ in 0..1000 {
            let v = r.range(-2, 2);
            assert!((-2..=2).contains(&v));
        }
    }
}
