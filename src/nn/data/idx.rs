//! The IDX format of the MNIST files (LeCun et al.): two zero bytes, a type byte (0x08 for
//! unsigned bytes, the only type natflow reads), the number of dimensions d, d big-endian u32
//! sizes, then the data in row-major order. Gzipped files (magic 1f 8b) are inflated first.

use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// An array of unsigned bytes with its dimensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxArray {
    /// The sizes, outermost first (e.g. [N, 28, 28]).
    pub dims: Vec<usize>,
    /// The values, row-major.
    pub data: Vec<u8>,
}

impl IdxArray {
    /// The number of items (the first dimension).
    pub fn len(&self) -> usize {
        self.dims.first().copied().unwrap_or(0)
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Values per item (the product of the other dimensions).
    pub fn item_size(&self) -> usize {
        self.dims.iter().skip(1).product()
    }

    /// Item i's values.
    pub fn item(&self, i: usize) -> &[u8] {
        let s = self.item_size();
        &self.data[i * s..(i + 1) * s]
    }
}

/// Parses IDX bytes (gzipped or not); `name` names the source in errors.
pub fn parse_idx(bytes: &[u8], name: &Path) -> Result<IdxArray> {
    let err = |reason: String| Error::Data {
        path: name.to_path_buf(),
        line: None,
        reason,
    };
    let inflated;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .map_err(|e| err(format!("not a valid gzip stream: {e}")))?;
        inflated = out;
        &inflated[..]
    } else {
        bytes
    };
    if bytes.len() < 4 || bytes[0] != 0 || bytes[1] != 0 {
        return Err(err(
            "not an IDX file (it must start with two zero bytes)".into()
        ));
    }
    if bytes[2] != 0x08 {
        return Err(err(format!(
            "IDX type 0x{:02x} is not supported (only unsigned bytes, 0x08)",
            bytes[2]
        )));
    }
    let d = bytes[3] as usize;
    if d == 0 || bytes.len() < 4 + 4 * d {
        return Err(err("the IDX header is truncated".into()));
    }
    let dims: Vec<usize> = (0..d)
        .map(|i| {
            let b = &bytes[4 + 4 * i..8 + 4 * i];
            u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize
        })
        .collect();
    let n: usize = dims
        .iter()
        .try_fold(1usize, |a, &x| a.checked_mul(x))
        .ok_or_else(|| err("the IDX dimensions overflow".into()))?;
    let data = &bytes[4 + 4 * d..];
    if data.len() != n {
        return Err(err(format!(
            "the IDX header promises {n} values ({dims:?}) but the file holds {}",
            data.len()
        )));
    }
    Ok(IdxArray {
        dims,
        data: data.to_vec(),
    })
}

/// Reads an IDX file (gzipped or not).
pub fn read_idx(path: &Path) -> Result<IdxArray> {
    let bytes = std::fs::read(path).map_err(|e| Error::Data {
        path: path.to_path_buf(),
        line: None,
        reason: format!("cannot read: {e}"),
    })?;
    parse_idx(&bytes, path)
}
