//! The portal's articles: categories, articles with their tags, links, revisions and
//! attachments, and enterprises' subscriptions. Transactional primitives only: which step is
//! allowed and who may take it are the domain's (`kechuang_domain::portal`) and the service's;
//! a step here applies only when the article is still in the status the caller saw.

use crate::audit::{append_new, Actor};
use crate::sql::{Listing, Sql};
use crate::{money_error, now_utc, Absent, Page, Refusal, Result, Store, StoreError};
use kechuang_domain::portal::ArticleStatus;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Category {
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// Its articles carry a document number (文号).
    pub doc_number: bool,
}

/// An article as stored, with its tags and links; attachments are listed apart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleRecord {
    pub id: i64,
    pub category: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub source: String,
    pub doc_number: String,
    pub status: ArticleStatus,
    /// UTC, RFC 3339.
    pub publish_at: Option<String>,
    /// YYYY-MM-DD, in China.
    pub expires_on: Option<String>,
    pub revision: i64,
    pub return_reason: String,
    pub created_by: String,
    pub created_at: String,
    pub updated_by: String,
    pub updated_at: String,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<String>,
    pub published_by: Option<String>,
    pub tags: Vec<String>,
    /// (kind, target): programme code, call id or notice (batch) id.
    pub links: Vec<(String, String)>,
}

/// What an author writes; the service has checked it.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleWrite<'a> {
    pub category: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub body: &'a str,
    pub source: &'a str,
    pub doc_number: &'a str,
    pub publish_at: Option<String>,
    pub expires_on: Option<String>,
    pub tags: &'a [String],
    pub links: &'a [(String, String)],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleRevision {
    pub revision: i64,
    /// The article's fields as saved, as JSON.
    pub content: String,
    pub saved_by: String,
    pub saved_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleFile {
    pub id: i64,
    pub article_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_at: String,
}

/// Which published articles a list shows.
#[derive(Debug, Clone, Default)]
pub struct ArticleFilter {
    pub category: Option<String>,
    pub categories: Option<Vec<String>>,
    pub tag: Option<String>,
    /// Published at or after this instant (RFC 3339).
    pub since: Option<String>,
}

const COLUMNS: &str = "a.id, a.category, a.title, a.summary, a.body, a.source, a.doc_number, \
    a.status, a.publish_at, a.expires_on, a.revision, a.return_reason, a.created_by, \
    a.created_at, a.updated_by, a.updated_at, a.submitted_by, a.submitted_at, a.published_by";

fn article_row(r: &AnyRow) -> Result<ArticleRecord> {
    let status: String = r.try_get("status")?;
    Ok(ArticleRecord {
        id: r.try_get("id")?,
        category: r.try_get("category")?,
        title: r.try_get("title")?,
        summary: r.try_get("summary")?,
        body: r.try_get("body")?,
        source: r.try_get("source")?,
        doc_number: r.try_get("doc_number")?,
        status: ArticleStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("article status '{status}'")))?,
        publish_at: r.try_get("publish_at")?,
        expires_on: r.try_get("expires_on")?,
        revision: r.try_get("revision")?,
        return_reason: r.try_get("return_reason")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
        submitted_by: r.try_get("submitted_by")?,
        submitted_at: r.try_get("submitted_at")?,
        published_by: r.try_get("published_by")?,
        tags: Vec::new(),
        links: Vec::new(),
    })
}

fn file_row(r: &AnyRow) -> Result<ArticleFile> {
    Ok(ArticleFile {
        id: r.try_get("id")?,
        article_id: r.try_get("article_id")?,
        file_name: r.try_get("file_name")?,
        content_type: r.try_get("content_type")?,
        size_bytes: r.try_get("size_bytes")?,
        uploaded_at: r.try_get("uploaded_at")?,
    })
}

/// The published articles the public sees at `now` (UTC, RFC 3339) on `today` (in China):
/// the SQL form of `kechuang_domain::portal::visible`.
fn visible_clause(q: &mut Sql, now: &str, today: &str) {
    let n = q.arg(now);
    let t = q.arg(today);
    q.push(&format!(
        " AND a.status = 'published' AND a.publish_at <= {n} \
         AND (a.expires_on IS NULL OR a.expires_on >= {t})"
    ));
}

/// `%`, `_` and the escape itself taken literally in a LIKE pattern.
fn like_pattern(word: &str) -> String {
    let mut p = String::from("%");
    for c in word.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

async fn save_revision(
    tx: &mut Transaction<'static, Any>,
    id: i64,
    revision: i64,
    w: &ArticleWrite<'_>,
    actor: &Actor,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO article_revisions (article_id, revision, content, saved_by, saved_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(revision)
    .bind(serde_json::to_string(w).map_err(|e| StoreError::Corrupt(e.to_string()))?)
    .bind(&actor.name)
    .bind(now_utc())
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM article_tags WHERE article_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for t in w.tags {
        sqlx::query("INSERT INTO article_tags (article_id, tag) VALUES ($1, $2)")
            .bind(id)
            .bind(t)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("DELETE FROM article_links WHERE article_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for (kind, target) in w.links {
        sqlx::query("INSERT INTO article_links (article_id, kind, target) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(kind)
            .bind(target)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl Store {
    pub async fn article_categories(&self) -> Result<Vec<Category>> {
        sqlx::query(
            "SELECT code, name, name_en, doc_number FROM article_categories ORDER BY position, code",
        )
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| {
            Ok(Category {
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                name_en: r.try_get("name_en")?,
                doc_number: r.try_get::<i64, _>("doc_number")? != 0,
            })
        })
        .collect()
    }

    /// Adds a category, or renames one that exists.
    pub async fn put_article_category(&self, c: &Category, actor: &Actor) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let position: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM article_categories")
                .fetch_one(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO article_categories (code, name, name_en, position, doc_number) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO UPDATE SET name = $2, \
             name_en = $3, doc_number = $5",
        )
        .bind(&c.code)
        .bind(&c.name)
        .bind(&c.name_en)
        .bind(position)
        .bind(i64::from(c.doc_number))
        .execute(&mut *tx)
        .await?;
        append_new(
            &mut tx,
            actor,
            "article_category.put",
            "article_category",
            &c.code,
            serde_json::to_value(c).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A new draft, as revision 1.
    pub async fn create_article(&self, w: &ArticleWrite<'_>, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let now = now_utc();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO articles (category, title, summary, body, source, doc_number, status, \
             publish_at, expires_on, revision, created_by, created_at, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8, 1, $9, $10, $9, $10) RETURNING id",
        )
        .bind(w.category)
        .bind(w.title)
        .bind(w.summary)
        .bind(w.body)
        .bind(w.source)
        .bind(w.doc_number)
        .bind(&w.publish_at)
        .bind(&w.expires_on)
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        save_revision(&mut tx, id, 1, w, actor).await?;
        append_new(
            &mut tx,
            actor,
            "article.create",
            "article",
            &id.to_string(),
            serde_json::json!({ "category": w.category, "title": w.title }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Saves a new revision of an article that is still in one of `editable` (a withdrawn
    /// article becomes a draft again); `false` when it has moved on meanwhile.
    pub async fn update_article(
        &self,
        id: i64,
        w: &ArticleWrite<'_>,
        editable: &[ArticleStatus],
        actor: &Actor,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        // The statuses are the domain's own constant names, so they are written in.
        let statuses: Vec<String> = editable
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        let text = format!(
            "UPDATE articles SET category = $1, title = $2, summary = $3, body = $4, \
             source = $5, doc_number = $6, publish_at = $7, expires_on = $8, \
             revision = revision + 1, status = 'draft', updated_by = $9, updated_at = $10 \
             WHERE id = $11 AND status IN ({})",
            statuses.join(", ")
        );
        let query = sqlx::query(&text)
            .bind(w.category)
            .bind(w.title)
            .bind(w.summary)
            .bind(w.body)
            .bind(w.source)
            .bind(w.doc_number)
            .bind(&w.publish_at)
            .bind(&w.expires_on)
            .bind(&actor.name)
            .bind(now_utc())
            .bind(id);
        if query.execute(&mut *tx).await?.rows_affected() == 0 {
            return Ok(false);
        }
        let revision: i64 = sqlx::query_scalar("SELECT revision FROM articles WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        save_revision(&mut tx, id, revision, w, actor).await?;
        append_new(
            &mut tx,
            actor,
            "article.edit",
            "article",
            &id.to_string(),
            serde_json::json!({ "revision": revision, "title": w.title }),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Moves an article from `from` to `to` if it is still in `from`; `false` otherwise. A
    /// submission records who sent it, a publication who published it (and the time, when
    /// none was set), a return its reason.
    pub async fn step_article(
        &self,
        id: i64,
        (from, to): (ArticleStatus, ArticleStatus),
        action: &str,
        reason: &str,
        actor: &Actor,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let now = now_utc();
        let set = match action {
            // Every form uses $4–$6, as PostgreSQL refuses an argument a statement leaves unused.
            "submit" => ", submitted_by = $4, submitted_at = $5, return_reason = $6",
            "publish" => {
                ", published_by = $4, publish_at = COALESCE(publish_at, $5), return_reason = $6"
            }
            "return" => ", return_reason = $6, updated_by = $4, updated_at = $5",
            _ => ", updated_by = $4, updated_at = $5, return_reason = $6",
        };
        let done = sqlx::query(&format!(
            "UPDATE articles SET status = $1{set} WHERE id = $2 AND status = $3"
        ))
        .bind(to.as_str())
        .bind(id)
        .bind(from.as_str())
        .bind(&actor.name)
        .bind(&now)
        .bind(reason)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        if !done {
            return Ok(false);
        }
        append_new(
            &mut tx,
            actor,
            &format!("article.{action}"),
            "article",
            &id.to_string(),
            serde_json::json!({ "from": from.as_str(), "to": to.as_str(), "reason": reason }),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The articles a statement selects (with [`COLUMNS`]), with their tags and links.
    async fn fetch_articles(&self, q: &Sql) -> Result<Vec<ArticleRecord>> {
        let list = q
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(article_row)
            .collect::<Result<Vec<_>>>()?;
        self.with_tags(list).await
    }

    async fn with_tags(&self, mut list: Vec<ArticleRecord>) -> Result<Vec<ArticleRecord>> {
        if list.is_empty() {
            return Ok(list);
        }
        let ids: Vec<String> = list.iter().map(|a| a.id.to_string()).collect();
        let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
        let mut links: HashMap<i64, Vec<(String, String)>> = HashMap::new();
        // Ids are numbers the store itself read, so they are written into the statement.
        let in_ids = ids.join(", ");
        for r in sqlx::query(&format!(
            "SELECT article_id, tag FROM article_tags WHERE article_id IN ({in_ids}) \
             ORDER BY article_id, tag"
        ))
        .fetch_all(&self.read)
        .await?
        {
            tags.entry(r.try_get("article_id")?)
                .or_default()
                .push(r.try_get("tag")?);
        }
        for r in sqlx::query(&format!(
            "SELECT article_id, kind, target FROM article_links WHERE article_id IN ({in_ids}) \
             ORDER BY article_id, kind, target"
        ))
        .fetch_all(&self.read)
        .await?
        {
            links
                .entry(r.try_get("article_id")?)
                .or_default()
                .push((r.try_get("kind")?, r.try_get("target")?));
        }
        for a in &mut list {
            a.tags = tags.remove(&a.id).unwrap_or_default();
            a.links = links.remove(&a.id).unwrap_or_default();
        }
        Ok(list)
    }

    pub async fn article(&self, id: i64) -> Result<ArticleRecord> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM articles a WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound(Absent::Article { id }))?;
        let a = article_row(&row)?;
        Ok(self.with_tags(vec![a]).await?.remove(0))
    }

    /// Every article in one of `statuses` (all when empty), last changed first, at most 500.
    pub async fn articles(&self, statuses: &[ArticleStatus]) -> Result<Vec<ArticleRecord>> {
        let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM articles a WHERE 1 = 1"));
        if !statuses.is_empty() {
            let s: Vec<String> = statuses.iter().map(|s| s.as_str().to_owned()).collect();
            q.in_list("a.status", &s);
        }
        q.push(" ORDER BY a.updated_at DESC, a.id DESC LIMIT 500");
        self.fetch_articles(&q).await
    }

    /// A page of the articles the public sees at `now` on `today`, newest first.
    pub async fn published_articles(
        &self,
        f: &ArticleFilter,
        (now, today): (&str, &str),
        (page, per_page): (u32, u32),
    ) -> Result<Page<ArticleRecord>> {
        let mut q = Sql::new("");
        visible_clause(&mut q, now, today);
        if let Some(c) = &f.category {
            let p = q.arg(c.clone());
            q.push(&format!(" AND a.category = {p}"));
        }
        if let Some(cs) = &f.categories {
            if cs.is_empty() {
                q.push(" AND 1 = 0");
            } else {
                q.in_list("a.category", cs);
            }
        }
        if let Some(t) = &f.tag {
            let p = q.arg(t.clone());
            q.push(&format!(
                " AND a.id IN (SELECT article_id FROM article_tags WHERE tag = {p})"
            ));
        }
        if let Some(s) = &f.since {
            let p = q.arg(s.clone());
            q.push(&format!(" AND a.publish_at >= {p}"));
        }
        let page = q
            .fetch_page(
                &self.read,
                &Listing {
                    select: COLUMNS,
                    from: "articles a",
                    join: "",
                    order: "a.publish_at DESC, a.id DESC",
                },
                (page, per_page),
                article_row,
            )
            .await?;
        Ok(Page {
            items: self.with_tags(page.items).await?,
            ..page
        })
    }

    /// Published articles holding every word in their title, summary or body (case aside),
    /// at most 1,000, newest first; the service ranks them.
    pub async fn search_articles(
        &self,
        words: &[String],
        (now, today): (&str, &str),
    ) -> Result<Vec<ArticleRecord>> {
        let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM articles a WHERE 1 = 1"));
        visible_clause(&mut q, now, today);
        for w in words {
            let p = q.arg(like_pattern(&w.to_lowercase()));
            q.push(&format!(
                " AND (LOWER(a.title) LIKE {p} ESCAPE '\\' OR LOWER(a.summary) LIKE {p} ESCAPE '\\' \
                 OR LOWER(a.body) LIKE {p} ESCAPE '\\')"
            ));
        }
        q.push(" ORDER BY a.publish_at DESC, a.id DESC LIMIT 1000");
        self.fetch_articles(&q).await
    }

    /// Articles linked to a programme, call or notice, in any status.
    pub async fn articles_linked(&self, kind: &str, target: &str) -> Result<Vec<ArticleRecord>> {
        let mut q = Sql::new(&format!(
            "SELECT {COLUMNS} FROM articles a JOIN article_links l ON l.article_id = a.id \
             WHERE 1 = 1"
        ));
        let (k, t) = (q.arg(kind), q.arg(target));
        q.push(&format!(
            " AND l.kind = {k} AND l.target = {t} ORDER BY a.publish_at DESC, a.id DESC"
        ));
        self.fetch_articles(&q).await
    }

    /// Tags of visible articles with how many each has, most used first.
    pub async fn article_tags(&self, (now, today): (&str, &str)) -> Result<Vec<(String, i64)>> {
        let mut q = Sql::new(
            "SELECT t.tag, COUNT(*) AS n FROM article_tags t JOIN articles a ON a.id = t.article_id \
             WHERE 1 = 1",
        );
        visible_clause(&mut q, now, today);
        q.push(" GROUP BY t.tag ORDER BY n DESC, t.tag LIMIT 50");
        q.fetch_all(&self.read)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("tag")?, r.try_get("n")?)))
            .collect()
    }

    pub async fn article_revisions(&self, id: i64) -> Result<Vec<ArticleRevision>> {
        sqlx::query(
            "SELECT revision, content, saved_by, saved_at FROM article_revisions \
             WHERE article_id = $1 ORDER BY revision DESC",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| {
            Ok(ArticleRevision {
                revision: r.try_get("revision")?,
                content: r.try_get("content")?,
                saved_by: r.try_get("saved_by")?,
                saved_at: r.try_get("saved_at")?,
            })
        })
        .collect()
    }

    /// Stores an attachment of an article still in one of `editable`; `None` when the
    /// article has moved on meanwhile.
    pub async fn put_article_file(
        &self,
        article_id: i64,
        (file_name, content_type, data): (&str, &str, &[u8]),
        editable: &[ArticleStatus],
        actor: &Actor,
    ) -> Result<Option<i64>> {
        let mut tx = self.begin_write().await?;
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM articles WHERE id = $1")
                .bind(article_id)
                .fetch_optional(&mut *tx)
                .await?;
        let status = status.ok_or(StoreError::NotFound(Absent::Article { id: article_id }))?;
        if !editable.iter().any(|s| s.as_str() == status) {
            return Ok(None);
        }
        let digest = kechuang_domain::auth::sha256_hex(data);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO article_files (article_id, file_name, content_type, size_bytes, sha256, \
             data, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(article_id)
        .bind(file_name)
        .bind(content_type)
        .bind(data.len() as i64)
        .bind(&digest)
        .bind(data.to_vec())
        .bind(&actor.name)
        .bind(now_utc())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            money_error(e, || Refusal::ArticleFileExists {
                name: file_name.to_owned(),
            })
        })?;
        append_new(
            &mut tx,
            actor,
            "article.file",
            "article",
            &article_id.to_string(),
            serde_json::json!({ "file": file_name, "sha256": digest, "bytes": data.len() }),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    pub async fn article_files(&self, article_id: i64) -> Result<Vec<ArticleFile>> {
        sqlx::query(
            "SELECT id, article_id, file_name, content_type, size_bytes, uploaded_at \
             FROM article_files WHERE article_id = $1 ORDER BY id",
        )
        .bind(article_id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(file_row)
        .collect()
    }

    /// An attachment with its bytes.
    pub async fn article_file(&self, id: i64) -> Result<(ArticleFile, Vec<u8>)> {
        let r = sqlx::query(
            "SELECT id, article_id, file_name, content_type, size_bytes, uploaded_at, data \
             FROM article_files WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound(Absent::ArticleFile { id }))?;
        Ok((file_row(&r)?, r.try_get("data")?))
    }

    /// The categories a user follows, with the time each was chosen.
    pub async fn subscriptions(&self, username: &str) -> Result<Vec<(String, String)>> {
        sqlx::query(
            "SELECT s.category, s.since FROM article_subscriptions s \
             JOIN article_categories c ON c.code = s.category WHERE s.username = $1 \
             ORDER BY c.position",
        )
        .bind(username)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("category")?, r.try_get("since")?)))
        .collect()
    }

    /// Sets the categories a user follows; one kept keeps its time.
    pub async fn set_subscriptions(
        &self,
        username: &str,
        categories: &[String],
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let kept: Vec<String> =
            sqlx::query_scalar("SELECT category FROM article_subscriptions WHERE username = $1")
                .bind(username)
                .fetch_all(&mut *tx)
                .await?;
        for k in kept.iter().filter(|k| !categories.contains(k)) {
            sqlx::query("DELETE FROM article_subscriptions WHERE username = $1 AND category = $2")
                .bind(username)
                .bind(k)
                .execute(&mut *tx)
                .await?;
        }
        let now = now_utc();
        for c in categories.iter().filter(|c| !kept.contains(c)) {
            sqlx::query(
                "INSERT INTO article_subscriptions (username, category, since) VALUES ($1, $2, $3)",
            )
            .bind(username)
            .bind(c)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        append_new(
            &mut tx,
            actor,
            "subscription.set",
            "user",
            username,
            serde_json::json!({ "categories": categories }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// When the registries last changed (an import or an edit), RFC 3339; `None` before any.
    pub async fn latest_registry_change(&self) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT MAX(t) FROM (SELECT MAX(imported_at) AS t FROM import_batches \
             UNION ALL SELECT MAX(superseded_at) AS t FROM registry_revisions) x",
        )
        .fetch_one(&self.read)
        .await?)
    }

    /// When a figure behind the targets last changed: an observation entered, or a registry
    /// change.
    pub async fn latest_figure_change(&self) -> Result<Option<String>> {
        let entered: Option<String> =
            sqlx::query_scalar("SELECT MAX(entered_at) FROM observations")
                .fetch_one(&self.read)
                .await?;
        Ok(entered.max(self.latest_registry_change().await?))
    }
}
