use sea_orm_migration::prelude::*;

/// On SQLite, a trigram full-text index of what the dashboard search looks at (business
/// name, brand name, contact names) and of the client's stage, one row per client, kept in
/// step by triggers on `clients`, `contacts` and `brands` whoever writes them. A search is
/// then one index lookup, counted without reading any client: at 100,000 clients, ~400 ms
/// became a few ms (docs/PERFORMANCE.md). The stage is stored as the first three letters
/// of its code (`new`, `cur`, `enr`), which is exactly one trigram. PostgreSQL keeps its
/// plain query (nothing to do here).
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The text one client is found by.
const CLIENT_TEXT: &str = "(SELECT c.business_name || ' ' || b.name || ' ' || \
     coalesce((SELECT group_concat(k.name, ' ') FROM contacts k WHERE k.client_id = c.id), '') \
     FROM clients c JOIN brands b ON b.id = c.brand_id WHERE c.id = CLIENT_ID)";

/// The stage token of one client.
const CLIENT_STAGE: &str = "(SELECT substr(stage, 1, 3) FROM clients WHERE id = CLIENT_ID)";

fn refresh(client_id: &str) -> String {
    format!(
        "DELETE FROM client_search WHERE rowid = {client_id}; \
         INSERT INTO client_search(rowid, search_text, stage) \
         SELECT {client_id}, {text}, {stage} WHERE EXISTS (SELECT 1 FROM clients WHERE id = {client_id});",
        text = CLIENT_TEXT.replace("CLIENT_ID", client_id),
        stage = CLIENT_STAGE.replace("CLIENT_ID", client_id)
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DbBackend::Sqlite {
            return Ok(());
        }
        let db = manager.get_connection();
        // Full detail: a phrase is matched from the trigrams' positions alone, without
        // reading the text back.
        db.execute_unprepared(
            "CREATE VIRTUAL TABLE client_search USING fts5(search_text, stage, tokenize = 'trigram')",
        )
        .await?;
        db.execute_unprepared(&format!(
            "INSERT INTO client_search(rowid, search_text, stage) SELECT id, {}, substr(stage, 1, 3) FROM clients",
            CLIENT_TEXT.replace("CLIENT_ID", "clients.id")
        ))
        .await?;
        for trigger in [
            format!(
                "CREATE TRIGGER client_search_after_client_insert AFTER INSERT ON clients BEGIN {} END",
                refresh("new.id")
            ),
            format!(
                "CREATE TRIGGER client_search_after_client_update AFTER UPDATE OF business_name, brand_id, stage ON clients BEGIN {} END",
                refresh("new.id")
            ),
            "CREATE TRIGGER client_search_after_client_delete AFTER DELETE ON clients BEGIN \
             DELETE FROM client_search WHERE rowid = old.id; END"
                .to_owned(),
            // A new contact only adds a name: appending is cheaper than recomputing.
            "CREATE TRIGGER client_search_after_contact_insert AFTER INSERT ON contacts BEGIN \
             UPDATE client_search SET search_text = search_text || ' ' || new.name WHERE rowid = new.client_id; END"
                .to_owned(),
            format!(
                "CREATE TRIGGER client_search_after_contact_update AFTER UPDATE OF name, client_id ON contacts BEGIN {} {} END",
                refresh("old.client_id"),
                refresh("new.client_id")
            ),
            format!(
                "CREATE TRIGGER client_search_after_brand_rename AFTER UPDATE OF name ON brands BEGIN \
                 DELETE FROM client_search WHERE rowid IN (SELECT id FROM clients WHERE brand_id = new.id); \
                 INSERT INTO client_search(rowid, search_text, stage) SELECT clients.id, {}, substr(clients.stage, 1, 3) FROM clients WHERE brand_id = new.id; END",
                CLIENT_TEXT.replace("CLIENT_ID", "clients.id")
            ),
            format!(
                "CREATE TRIGGER client_search_after_contact_delete AFTER DELETE ON contacts BEGIN {} END",
                refresh("old.client_id")
            ),
        ] {
            db.execute_unprepared(&trigger).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DbBackend::Sqlite {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE client_search")
            .await?;
        Ok(())
    }
}
