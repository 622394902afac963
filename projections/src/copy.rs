//! Rows written with `COPY … FROM STDIN (FORMAT binary)`: what a rebuild's bulk writes into
//! empty tables. Postgres takes binary rows without parsing a literal or an array (an
//! `insert … select from unnest($1, …)` of 5 000 rows spends a third of its time reading its
//! arrays back), and each value is encoded by sqlx's own `Encode`, so a column reads exactly as
//! a bound parameter would have written it.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::PgArgumentBuffer;
use sqlx::{Encode, PgConnection, Postgres};

/// The file header of the binary format: signature, flags, no extension.
const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// Binary rows for one `COPY`, of `columns` columns each.
pub(crate) struct BinaryRows {
    data: PgArgumentBuffer,
    columns: i16,
}

impl BinaryRows {
    pub(crate) fn new(columns: i16) -> Self {
        let mut data = PgArgumentBuffer::default();
        data.extend_from_slice(HEADER);
        Self { data, columns }
    }

    /// Begins a row: its fields follow, one [`Self::field`] per column in the statement's order.
    pub(crate) fn row(&mut self) {
        self.data.extend_from_slice(&self.columns.to_be_bytes());
    }

    /// The next field of the row (`None` is SQL `null`).
    pub(crate) fn field<'q, T: Encode<'q, Postgres>>(
        &mut self,
        value: &T,
    ) -> Result<(), BoxDynError> {
        let at = self.data.len();
        self.data.extend_from_slice(&[0; 4]);
        let length = match value.encode_by_ref(&mut self.data)? {
            IsNull::Yes => {
                self.data.truncate(at + 4);
                -1
            }
            IsNull::No => i32::try_from(self.data.len() - at - 4)?,
        };
        self.data[at..at + 4].copy_from_slice(&length.to_be_bytes());
        Ok(())
    }

    /// Sends the rows with `copy` (`copy <table> (<columns>) from stdin (format binary)`);
    /// how many Postgres wrote.
    pub(crate) async fn copy(
        mut self,
        conn: &mut PgConnection,
        copy: &str,
    ) -> Result<u64, sqlx::Error> {
        self.data.extend_from_slice(&(-1i16).to_be_bytes());
        let data: Vec<u8> = std::mem::take(&mut *self.data);
        let mut sink = conn.copy_in_raw(copy).await?;
        sink.send(data).await?;
        sink.finish().await
    }
}
