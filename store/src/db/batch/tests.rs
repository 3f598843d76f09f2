//! The one-call batches against a real SQLite file: what lands, what a failure or an
//! abandoned call leaves behind, and when the connection is free for the next one.

use sea_orm::{DbBackend, Statement};

use super::super::tests::{committed, insert, notes};
use super::*;

#[tokio::test]
async fn a_batch_lands_whole_with_each_statements_values_in_place() {
    let (db, url) = notes("batch-lands").await;
    write_atomically(
        &Writer::new(&db),
        vec![
            insert(1, Some("one")),
            insert(2, Some("two")),
            insert(3, Some("three")),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        committed(&url).await,
        [(1, "one".into()), (2, "two".into()), (3, "three".into())]
    );
}

#[tokio::test]
async fn a_failing_statement_undoes_the_batch_and_leaves_no_transaction_open() {
    let (db, url) = notes("batch-fails").await;
    let writer = Writer::new(&db);
    // The second breaks NOT NULL: the first must not land either.
    let failed = write_atomically(&writer, vec![insert(1, Some("one")), insert(2, None)]).await;
    assert!(
        failed.unwrap_err().to_string().contains("NOT NULL"),
        "the database's reason reaches the caller"
    );
    assert_eq!(committed(&url).await, []);
    // Both pooled connections still work outside any transaction: what they write is
    // committed at once, as another pool sees.
    for id in [3, 4] {
        db.execute_raw(insert(id, Some("after"))).await.unwrap();
    }
    write_atomically(&writer, vec![insert(5, Some("batch after"))])
        .await
        .unwrap();
    assert_eq!(
        committed(&url).await,
        [
            (3, "after".into()),
            (4, "after".into()),
            (5, "batch after".into())
        ]
    );
}

#[tokio::test]
async fn a_batch_abandoned_midway_is_rolled_back_and_its_connection_not_reused() {
    let (db, url) = notes("batch-abandoned").await;
    let writer = Writer::new(&db);
    // The second statement takes long enough for the caller to give up during it, and
    // sqlx then stops before COMMIT.
    let slow = Statement::from_string(
        DbBackend::Sqlite,
        "INSERT INTO note (id, body) WITH RECURSIVE n(x) AS (SELECT 10 UNION ALL \
         SELECT x + 1 FROM n WHERE x < 400000) SELECT x, 'slow' FROM n",
    );
    let batch = write_atomically(
        &writer,
        vec![insert(1, Some("one")), slow, insert(2, Some("two"))],
    );
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(20), batch)
            .await
            .is_err(),
        "the batch was still running when abandoned"
    );
    // Later writes, through the writer and the pool, are committed, and nothing of the
    // abandoned batch is.
    write_atomically(&writer, vec![insert(3, Some("after"))])
        .await
        .unwrap();
    db.execute_raw(insert(4, Some("after"))).await.unwrap();
    assert_eq!(
        committed(&url).await,
        [(3, "after".into()), (4, "after".into())]
    );
}

fn select(sql: &str, values: Vec<sea_orm::Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Sqlite, sql, values)
}

fn bodies(rows: &[QueryResult]) -> Vec<String> {
    rows.iter()
        .map(|r| r.try_get("", "body").unwrap())
        .collect()
}

/// Both pooled connections write outside any transaction afterwards: what they write is
/// committed at once, as another pool sees.
async fn both_connections_commit_at_once(db: &DatabaseConnection, url: &str) {
    for id in [7, 8] {
        db.execute_raw(insert(id, Some("after"))).await.unwrap();
    }
    let seen = committed(url).await;
    assert!(
        seen.contains(&(7, "after".into())) && seen.contains(&(8, "after".into())),
        "{seen:?}"
    );
}

#[tokio::test]
async fn a_read_answers_each_query_with_its_own_rows_in_order() {
    let (db, _) = notes("read-answers").await;
    for (id, body) in [(1, "one"), (2, "two"), (3, "three")] {
        db.execute_raw(insert(id, Some(body))).await.unwrap();
    }
    let answers = read_together(
        &db,
        vec![
            select(
                "SELECT body FROM note WHERE id <= ? ORDER BY id",
                vec![2.into()],
            ),
            select("SELECT body FROM note WHERE id = ?", vec![99.into()]),
            select(
                "SELECT body FROM note WHERE id > ? AND body <> ? ORDER BY id DESC",
                vec![1.into(), "two".into()],
            ),
        ],
    )
    .await
    .unwrap();
    let answers: Vec<Vec<String>> = answers.iter().map(|rows| bodies(rows)).collect();
    assert_eq!(
        answers,
        [
            vec!["one".to_owned(), "two".into()],
            vec![],
            vec!["three".into()]
        ]
    );
}

#[tokio::test]
async fn a_failing_query_ends_the_read_and_leaves_no_transaction_open() {
    let (db, url) = notes("read-fails").await;
    db.execute_raw(insert(1, Some("one"))).await.unwrap();
    // The second fails only as it runs (the text is not JSON), after BEGIN and the first.
    let failed = read_together(
        &db,
        vec![
            select("SELECT body FROM note", vec![]),
            select("SELECT json_extract(body, '$.x') AS body FROM note", vec![]),
        ],
    )
    .await;
    assert!(
        failed.unwrap_err().to_string().contains("JSON"),
        "the database's reason reaches the caller"
    );
    both_connections_commit_at_once(&db, &url).await;
}

#[tokio::test]
async fn a_read_abandoned_midway_leaves_no_transaction_open() {
    let (db, url) = notes("read-abandoned").await;
    // The pool's other connection is held, so the write after the read must run on the
    // connection the read was abandoned on.
    let other = db.begin().await.unwrap();
    let slow = select(
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000000) \
         SELECT count(*) AS body FROM n",
        vec![],
    );
    let read = read_together(&db, vec![select("SELECT 1 AS body", vec![]), slow]);
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(20), read)
            .await
            .is_err(),
        "the read was still running when abandoned"
    );
    db.execute_raw(insert(7, Some("after"))).await.unwrap();
    other.rollback().await.unwrap();
    assert_eq!(committed(&url).await, [(7, "after".into())]);
}

#[tokio::test]
async fn a_write_hands_its_rows_over_first_and_the_reads_see_it() {
    let (db, url) = notes("write-then-read").await;
    let first = Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "INSERT INTO note (id, body) VALUES (?, ?) RETURNING body",
        [1.into(), "one".into()],
    );
    let (handed, answers) = write_then_read(
        &Writer::new(&db),
        first,
        vec![
            select("SELECT body FROM note WHERE id = ?", vec![1.into()]),
            select("SELECT body FROM note WHERE id = ?", vec![2.into()]),
        ],
        async |rows: Vec<QueryResult>| bodies(&rows),
    )
    .await
    .unwrap();
    assert_eq!(handed, ["one"]);
    let answers: Vec<Vec<String>> = answers.iter().map(|rows| bodies(rows)).collect();
    assert_eq!(answers, [vec!["one".to_owned()], vec![]]);
    assert_eq!(committed(&url).await, [(1, "one".into())]);
}

#[tokio::test]
async fn the_writer_is_free_before_the_work_meanwhile_is_done() {
    let (db, url) = notes("write-then-read-releases").await;
    let writer = Writer::new(&db);
    // The work done meanwhile writes through the same writer: it can only do so once the
    // batch has committed and let go of the connection.
    let meanwhile = async |_| {
        let wrote = write_atomically(&writer, vec![insert(2, Some("meanwhile"))]);
        tokio::time::timeout(std::time::Duration::from_secs(5), wrote).await
    };
    let (wrote, _) = write_then_read(
        &writer,
        insert(1, Some("one")),
        vec![select("SELECT body FROM note", vec![])],
        meanwhile,
    )
    .await
    .unwrap();
    wrote
        .expect("the work done meanwhile got the writer")
        .unwrap();
    assert_eq!(
        committed(&url).await,
        [(1, "one".into()), (2, "meanwhile".into())]
    );
}

#[tokio::test]
async fn writes_need_no_connection_from_the_pool() {
    let (db, url) = notes("writer-own-connection").await;
    // Both of the pool's connections are busy reading.
    let readers = (db.begin().await.unwrap(), db.begin().await.unwrap());
    for reader in [&readers.0, &readers.1] {
        reader
            .query_all_raw(select("SELECT body FROM note", vec![]))
            .await
            .unwrap();
    }
    let writer = Writer::new(&db);
    let wrote = write_atomically(&writer, vec![insert(1, Some("one"))]);
    // The pool would have made it wait 5 s and then fail.
    tokio::time::timeout(std::time::Duration::from_secs(2), wrote)
        .await
        .expect("the write did not wait for the pool")
        .unwrap();
    drop(readers);
    assert_eq!(committed(&url).await, [(1, "one".into())]);
}

#[tokio::test]
async fn a_failing_read_undoes_the_write_and_leaves_no_transaction_open() {
    let (db, url) = notes("write-then-read-fails").await;
    db.execute_raw(insert(1, Some("one"))).await.unwrap();
    let writer = Writer::new(&db);
    let failed = write_then_read(
        &writer,
        insert(2, Some("two")),
        vec![select(
            "SELECT json_extract(body, '$.x') AS body FROM note",
            vec![],
        )],
        async |rows: Vec<QueryResult>| rows.len(),
    )
    .await;
    assert!(
        failed.unwrap_err().to_string().contains("JSON"),
        "the database's reason reaches the caller"
    );
    both_connections_commit_at_once(&db, &url).await;
    assert!(!committed(&url).await.contains(&(2, "two".into())));
}
