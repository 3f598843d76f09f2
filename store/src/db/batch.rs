//! Statements sent to the database together, as one transaction in one call on SQLite.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every call to it and
//! back. On this project's machine each hand-off cost more than a small statement itself
//! (docs/PERFORMANCE.md), so the paths a person waits on send their statements in one call.
//! The batches that write run on SQLite's writing connection ([`Writer`]), the reads on a
//! connection from the pool.

use sea_orm::sea_query::Values;
use sea_orm::sqlx::Sqlite;
use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::sqlx::sqlite::SqliteConnection;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, QueryResult, Statement,
    TransactionTrait, sqlx,
};
use sea_query_sqlx::SqlxValues;

use super::Writer;

/// Runs `statements` in order as one transaction: all of them land or none.
///
/// On SQLite the whole transaction, `BEGIN` to `COMMIT`, is one call: three writes in a
/// transaction were five hand-offs, now one. PostgreSQL cannot prepare several commands at
/// once, so there this is an ordinary transaction.
pub(crate) async fn write_atomically(
    writer: &Writer,
    statements: Vec<Statement>,
) -> Result<(), DbErr> {
    let db = writer.database();
    if db.get_database_backend() != DbBackend::Sqlite {
        let txn = db.begin().await?;
        for statement in statements {
            txn.execute_raw(statement).await?;
        }
        return txn.commit().await;
    }
    let exec_error = |e: sqlx::Error| DbErr::Exec(sea_orm::RuntimeErr::SqlxError(e.into()));
    let (sql, values) = one_transaction("BEGIN IMMEDIATE", statements);
    let mut connection = writer.hold().await.map_err(exec_error)?;
    let ran = sqlx::query_with(sqlx::AssertSqlSafe(sql), values)
        .execute(connection.get())
        .await;
    // A connection that cannot be reused is dropped unreleased, which closes it.
    if ran.is_ok() || end_failed_batch(connection.get()).await {
        connection.release();
    }
    ran.map(|_| ()).map_err(exec_error)
}

/// Runs the queries `statements` as one read transaction and returns each one's rows, in
/// order: every answer comes from the same moment of the database.
///
/// On SQLite that is one call, `BEGIN` to `COMMIT` (the modal's status was nine calls, each
/// two thread switches). On PostgreSQL the queries run one by one in a read-only
/// repeatable-read transaction, whose snapshot is taken by the first.
pub(crate) async fn read_together(
    db: &DatabaseConnection,
    statements: Vec<Statement>,
) -> Result<Vec<Vec<QueryResult>>, DbErr> {
    if db.get_database_backend() != DbBackend::Sqlite {
        use sea_orm::{AccessMode, IsolationLevel};
        let txn = db
            .begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await?;
        let mut answers = Vec::with_capacity(statements.len());
        for statement in statements {
            answers.push(txn.query_all_raw(statement).await?);
        }
        txn.commit().await?;
        return Ok(answers);
    }
    let query_error = |e: sqlx::Error| DbErr::Query(sea_orm::RuntimeErr::SqlxError(e.into()));
    let queries = statements.len();
    let (sql, values) = one_transaction("BEGIN", statements);
    let mut connection = ClosedIfAbandoned::acquire(db).await.map_err(query_error)?;
    let read = answers(connection.get(), sql, values, queries, None).await;
    if read.is_err() && !end_failed_batch(connection.get()).await {
        connection.get().close_on_drop();
    }
    connection.release();
    read.map_err(query_error)
}

/// Runs the write `first` and then the queries `then_read` as one transaction, and hands
/// `first`'s rows to `meanwhile` as soon as they are read: what `meanwhile` does (compare a
/// hash, say) runs while the database answers the queries. Returns what `meanwhile` gave
/// and each query's rows, in order. If the transaction fails, nothing of it lands and
/// whatever `meanwhile` gave is dropped.
///
/// On SQLite that is one call, `BEGIN IMMEDIATE` to `COMMIT`, whose rows are read as they
/// come, and the queries see the database as `first` left it. On PostgreSQL the statements
/// run one by one in a read-committed transaction (a repeatable-read write could fail when
/// another transaction changes the same row): each query sees what was committed when it
/// ran.
pub(crate) async fn write_then_read<T, F, Fut>(
    writer: &Writer,
    first: Statement,
    then_read: Vec<Statement>,
    meanwhile: F,
) -> Result<(T, Vec<Vec<QueryResult>>), DbErr>
where
    F: FnOnce(Vec<QueryResult>) -> Fut,
    Fut: Future<Output = T>,
{
    let db = writer.database();
    if db.get_database_backend() != DbBackend::Sqlite {
        let txn = db.begin().await?;
        let first_rows = txn.query_all_raw(first).await?;
        // Committed as soon as the queries are answered, not once `meanwhile` is done: the
        // transaction holds `first`'s row locks.
        let queries = async move {
            let mut answers = Vec::with_capacity(then_read.len());
            for statement in then_read {
                answers.push(txn.query_all_raw(statement).await?);
            }
            txn.commit().await?;
            Ok::<_, DbErr>(answers)
        };
        let (done, answers) = tokio::join!(meanwhile(first_rows), queries);
        return Ok((done, answers?));
    }
    let query_error = |e: sqlx::Error| DbErr::Query(sea_orm::RuntimeErr::SqlxError(e.into()));
    let queries = then_read.len();
    let (sql, values) = one_transaction(
        "BEGIN IMMEDIATE",
        std::iter::once(first).chain(then_read).collect(),
    );
    let mut connection = writer.hold().await.map_err(query_error)?;
    let (first_answer, first_rows) = tokio::sync::oneshot::channel();
    // The writer is free for the next batch as soon as this one is read, not once
    // `meanwhile` is done.
    let reading = async move {
        let early = Some(first_answer);
        let read = answers(connection.get(), sql, values, queries + 1, early).await;
        // A connection that cannot be reused is dropped unreleased, which closes it.
        if read.is_ok() || end_failed_batch(connection.get()).await {
            connection.release();
        }
        read
    };
    let acting = async {
        match first_rows.await {
            Ok(rows) => Some(meanwhile(rows).await),
            // The batch failed before `first` was answered.
            Err(_) => None,
        }
    };
    let (read, done) = tokio::join!(reading, acting);
    let mut answers = read.map_err(query_error)?;
    answers.remove(0);
    let done =
        done.ok_or_else(|| DbErr::Custom("the batch's first statement gave no answer".into()))?;
    Ok((done, answers))
}

/// One SQL text that opens a transaction with `begin`, runs `statements` and commits, and
/// their values in the order of their placeholders (SQLite binds `?` across statements).
fn one_transaction(begin: &str, statements: Vec<Statement>) -> (String, SqlxValues) {
    let mut sql = format!("{begin};\n");
    let mut values = Vec::new();
    for statement in statements {
        sql.push_str(&statement.sql);
        sql.push_str(";\n");
        values.extend(statement.values.into_iter().flat_map(|v| v.0));
    }
    sql.push_str("COMMIT;");
    (sql, SqlxValues(Values(values)))
}

/// The rows of each of `queries` statements between the batch's `BEGIN` and `COMMIT`.
/// sqlx yields a statement's rows and then its result, so each result closes one answer.
/// With `early`, the first statement's rows go there as soon as they are read, and its
/// answer in the list is left empty.
async fn answers(
    connection: &mut SqliteConnection,
    sql: String,
    values: SqlxValues,
    queries: usize,
    mut early: Option<tokio::sync::oneshot::Sender<Vec<QueryResult>>>,
) -> Result<Vec<Vec<QueryResult>>, sqlx::Error> {
    use futures_util::TryStreamExt;
    use sea_orm::sqlx::{Either, Executor};
    let query = sqlx::query_with(sqlx::AssertSqlSafe(sql), values);
    let mut items = connection.fetch_many(query);
    // The first result closes `BEGIN` and the last `COMMIT`; neither returns rows.
    let mut answers = Vec::with_capacity(queries + 2);
    let mut rows = Vec::new();
    while let Some(item) = items.try_next().await? {
        match item {
            Either::Right(row) => rows.push(QueryResult::from(row)),
            Either::Left(_) => {
                let answer = std::mem::take(&mut rows);
                // The first answer is BEGIN's, so the first statement's is the second.
                match early.take_if(|_| answers.len() == 1) {
                    Some(early) => {
                        // Whoever waits for it may have given up; the batch goes on regardless.
                        let _ = early.send(answer);
                        answers.push(Vec::new());
                    }
                    None => answers.push(answer),
                }
            }
        }
    }
    if answers.len() != queries + 2 {
        return Err(sqlx::Error::Protocol(format!(
            "a batch of {queries} queries gave {} answers",
            answers.len().saturating_sub(2)
        )));
    }
    answers.pop();
    answers.remove(0);
    Ok(answers)
}

/// The connection a batch runs on. sqlx stops a batch between two statements when nobody
/// waits for its answer any more (a request that went away), which can leave its
/// transaction open: a connection dropped before [`Self::release`] is therefore closed, and
/// closing rolls back, rather than handed to the next request with the transaction open.
struct ClosedIfAbandoned(Option<PoolConnection<Sqlite>>);

impl ClosedIfAbandoned {
    async fn acquire(db: &DatabaseConnection) -> Result<Self, sqlx::Error> {
        Ok(Self(Some(db.get_sqlite_connection_pool().acquire().await?)))
    }

    fn get(&mut self) -> &mut PoolConnection<Sqlite> {
        self.0.as_mut().expect("released only once, at the end")
    }

    /// Back to the pool (or closed, if a failed batch said so).
    fn release(mut self) {
        drop(self.0.take());
    }
}

impl Drop for ClosedIfAbandoned {
    fn drop(&mut self) {
        if let Some(connection) = &mut self.0 {
            connection.close_on_drop();
        }
    }
}

/// After a batch failed, its transaction may still be open (a statement failed) or not (it
/// never began, or COMMIT failed and SQLite rolled back). Whether the connection may be
/// reused: only once no transaction is open; the caller closes it otherwise.
async fn end_failed_batch(connection: &mut SqliteConnection) -> bool {
    match sqlx::query("ROLLBACK").execute(connection).await {
        Ok(_) => true,
        Err(e) => e
            .as_database_error()
            .is_some_and(|e| e.message().contains("no transaction is active")),
    }
}

#[cfg(test)]
mod tests;
