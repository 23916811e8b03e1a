package dev.celeriac.api.internal.ledger;

import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.JavaMigration;

/** A migration of the ledger written in Java, where the databases share no way to say it in SQL. */
abstract class LedgerMigration implements JavaMigration {

    private final MigrationVersion version;
    private final String description;

    LedgerMigration(String version, String description) {
        this.version = MigrationVersion.fromVersion(version);
        this.description = description;
    }

    @Override
    public final MigrationVersion getVersion() {
        return version;
    }

    @Override
    public final String getDescription() {
        return description;
    }

    @Override
    public final Integer getChecksum() {
        return null;
    }

    @Override
    public final boolean canExecuteInTransaction() {
        return true;
    }
}
