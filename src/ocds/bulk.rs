//! The yearly bulk files: all the releases of a year (by their dates, UTC) in one gzipped
//! release package, and the records of the tenders first released that year in one gzipped
//! record package, with an index of them.
//!
//! A file is written whole, to a temporary name, from a snapshot of its year (how many
//! releases or records, up to which `seq`), and renamed into place when complete: a reader
//! streams a finished file from disk, never a file being written, and never one truncated by
//! a failure half-way. Memory stays bounded whatever the size: the releases are read, written
//! and compressed a few hundred at a time. The name of a file says what it holds, so a change
//! in the year makes a new file, and the file stays good until then; older ones are removed.

use std::path::{Path, PathBuf};

use async_compression::tokio::write::GzipEncoder;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncWriteExt, BufWriter};
use tokio::sync::Mutex;

use super::{Publication, mapping, package_head, record};
use crate::error::{AppError, AppResult};
use crate::services::release::{self, YearSummary};

/// How many releases or tenders are read at once.
const CHUNK: u64 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Releases,
    Records,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Releases => "releases",
            Kind::Records => "records",
        }
    }

    pub fn parse(value: &str) -> Option<Kind> {
        match value {
            "releases" => Some(Kind::Releases),
            "records" => Some(Kind::Records),
            _ => None,
        }
    }
}

/// A finished file.
#[derive(Debug, Clone)]
pub struct File {
    pub kind: Kind,
    pub year: i32,
    /// Releases, or records.
    pub count: i64,
    pub last_modified: DateTime<Utc>,
    pub size: u64,
    pub path: PathBuf,
    /// An entity tag that changes whenever the file's content does.
    pub etag: String,
}

/// The files, kept in a folder of their own.
pub struct Bulk {
    dir: PathBuf,
    /// One file is written at a time by this process.
    writing: Mutex<()>,
}

impl Bulk {
    pub fn new(dir: PathBuf) -> Bulk {
        Bulk {
            dir,
            writing: Mutex::new(()),
        }
    }

    async fn summaries(&self, db: &DatabaseConnection, kind: Kind) -> AppResult<Vec<YearSummary>> {
        match kind {
            Kind::Releases => release::release_years(db).await,
            Kind::Records => release::record_years(db).await,
        }
    }

    /// The file of `kind` for `year`, written first if the year changed since; none when the
    /// year has no releases.
    pub async fn file(
        &self,
        db: &DatabaseConnection,
        publication: &Publication,
        kind: Kind,
        year: i32,
    ) -> AppResult<Option<File>> {
        let Some(summary) = self
            .summaries(db, kind)
            .await?
            .into_iter()
            .find(|s| s.year == year)
        else {
            return Ok(None);
        };
        self.fresh(db, publication, kind, summary).await.map(Some)
    }

    /// Every file there is to be: each kind's years.
    pub async fn years(&self, db: &DatabaseConnection) -> AppResult<Vec<(Kind, YearSummary)>> {
        let mut years = Vec::new();
        for kind in [Kind::Releases, Kind::Records] {
            for summary in self.summaries(db, kind).await? {
                years.push((kind, summary));
            }
        }
        Ok(years)
    }

    /// The files of `years`, each fresh.
    pub async fn all(
        &self,
        db: &DatabaseConnection,
        publication: &Publication,
        years: Vec<(Kind, YearSummary)>,
    ) -> AppResult<Vec<File>> {
        let mut files = Vec::with_capacity(years.len());
        for (kind, summary) in years {
            files.push(self.fresh(db, publication, kind, summary).await?);
        }
        Ok(files)
    }

    /// A file's tag and path: they change whenever its year's releases or the public address
    /// do (the address is in every package: a file written for another is not this one's).
    fn name(
        &self,
        publication: &Publication,
        kind: Kind,
        summary: &YearSummary,
    ) -> (String, PathBuf) {
        let base = Sha256::digest(publication.base.as_bytes());
        let tag = format!(
            "{}-{}-{}-{}-{:02x}{:02x}{:02x}{:02x}",
            kind.name(),
            summary.year,
            summary.count,
            summary.last_seq,
            base[0],
            base[1],
            base[2],
            base[3]
        );
        let path = self.dir.join(format!("{tag}.json.gz"));
        (tag, path)
    }

    /// The item counts of those of `years` whose files are not written yet: what asking for
    /// every file would write.
    pub async fn unwritten(
        &self,
        publication: &Publication,
        years: &[(Kind, YearSummary)],
    ) -> Vec<i64> {
        let mut counts = Vec::new();
        for (kind, summary) in years {
            let (_, path) = self.name(publication, *kind, summary);
            if tokio::fs::metadata(&path).await.is_err() {
                counts.push(summary.count.max(0));
            }
        }
        counts
    }

    async fn fresh(
        &self,
        db: &DatabaseConnection,
        publication: &Publication,
        kind: Kind,
        summary: YearSummary,
    ) -> AppResult<File> {
        let (tag, path) = self.name(publication, kind, &summary);
        let _writing = self.writing.lock().await;
        if tokio::fs::metadata(&path).await.is_err() {
            tokio::fs::create_dir_all(&self.dir)
                .await
                .map_err(AppError::internal)?;
            let partial = self
                .dir
                .join(format!(".{tag}.{}.partial", std::process::id()));
            let written = write(db, publication, kind, summary, &partial).await;
            if let Err(error) = written {
                let _ = tokio::fs::remove_file(&partial).await;
                return Err(error);
            }
            tokio::fs::rename(&partial, &path)
                .await
                .map_err(AppError::internal)?;
            remove_older(&self.dir, kind, summary.year, &path).await;
        }
        let size = tokio::fs::metadata(&path)
            .await
            .map_err(AppError::internal)?
            .len();
        Ok(File {
            kind,
            year: summary.year,
            count: summary.count,
            last_modified: summary.last_at,
            size,
            path,
            etag: format!("\"{tag}\""),
        })
    }
}

/// Removes the earlier files of the same kind and year.
async fn remove_older(dir: &Path, kind: Kind, year: i32, keep: &Path) {
    let prefix = format!("{}-{year}-", kind.name());
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return;
    };
    while let Ok(Some(entry)) = entries.next_entry().await {
        let path = entry.path();
        let name = entry.file_name();
        if path != keep && name.to_string_lossy().starts_with(&prefix) {
            let _ = tokio::fs::remove_file(path).await;
        }
    }
}

type Out = GzipEncoder<BufWriter<tokio::fs::File>>;

async fn put(out: &mut Out, bytes: &[u8]) -> AppResult<()> {
    out.write_all(bytes).await.map_err(AppError::internal)
}

async fn put_item(out: &mut Out, first: &mut bool, item: &Value) -> AppResult<()> {
    if !*first {
        put(out, b",").await?;
    }
    *first = false;
    let bytes = serde_json::to_vec(item).map_err(AppError::internal)?;
    put(out, &bytes).await
}

/// Writes the year's package to `path`: its head, then its items as they are read.
async fn write(
    db: &DatabaseConnection,
    publication: &Publication,
    kind: Kind,
    summary: YearSummary,
    path: &Path,
) -> AppResult<()> {
    let file = tokio::fs::File::create(path)
        .await
        .map_err(AppError::internal)?;
    let mut out = GzipEncoder::new(BufWriter::new(file));
    let uri = format!("/ocds/bulk/{}/{}.json.gz", kind.name(), summary.year);
    let head = Value::Object(package_head(publication, &uri, summary.last_at));
    let head = serde_json::to_string(&head).map_err(AppError::internal)?;
    // The head is an object: its closing brace gives way to the items' array.
    let open = head.strip_suffix('}').unwrap_or(&head);
    put(&mut out, open.as_bytes()).await?;
    put(&mut out, format!(",\"{}\":[", kind.name()).as_bytes()).await?;
    let mut first = true;
    let mut written = 0i64;
    match kind {
        Kind::Releases => {
            let mut after = None;
            loop {
                let chunk = release::of_year(db, summary.year, after, CHUNK).await?;
                let Some(last) = chunk.last() else { break };
                after = Some(last.seq);
                for r in chunk.iter().filter(|r| r.seq <= summary.last_seq) {
                    put_item(&mut out, &mut first, &mapping::release(r)).await?;
                    written += 1;
                }
                if chunk.iter().any(|r| r.seq > summary.last_seq) {
                    break;
                }
            }
        }
        Kind::Records => {
            let mut after = None;
            loop {
                let ids = release::tenders_page(db, after, Some(summary.year), CHUNK).await?;
                let Some(&last) = ids.last() else { break };
                after = Some(last);
                let mut by_tender = release::of_tenders(db, &ids).await?;
                for id in &ids {
                    let Some(mut releases) = by_tender.remove(id) else {
                        continue;
                    };
                    releases.retain(|r| r.seq <= summary.last_seq);
                    if releases.first().is_some_and(|r| r.number == 1) {
                        put_item(&mut out, &mut first, &record(&releases)).await?;
                        written += 1;
                    }
                }
            }
        }
    }
    put(&mut out, b"]}").await?;
    out.shutdown().await.map_err(AppError::internal)?;
    if written != summary.count {
        return Err(AppError::internal(anyhow::anyhow!(
            "the {} file of {} holds {written} items, not {}",
            kind.name(),
            summary.year,
            summary.count
        )));
    }
    Ok(())
}

/// `GET /ocds/bulk`: the files, with their sizes, counts and last changes.
pub fn index(publication: &Publication, files: &[File]) -> Value {
    let list = |kind: Kind| -> Vec<Value> {
        files
            .iter()
            .filter(|f| f.kind == kind)
            .map(|f| {
                json!({
                    "year": f.year,
                    "url": publication.url(&format!("/ocds/bulk/{}/{}.json.gz", kind.name(), f.year)),
                    "count": f.count,
                    "size": f.size,
                    "lastModified": mapping::instant(f.last_modified),
                    "mediaType": "application/gzip",
                })
            })
            .collect()
    };
    let newest = files.iter().map(|f| f.last_modified).max();
    json!({
        "publisher": { "name": super::PUBLISHER },
        "publishedDate": newest.map(mapping::instant),
        "releases": list(Kind::Releases),
        "records": list(Kind::Records),
    })
}
