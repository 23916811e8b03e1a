package dev.celeriac.api.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The API ({@code celeriac.api.*}).
 *
 * @param resultLimit Largest result kept in the ledger, in characters; larger results are cut and flagged.
 * @param recorderBatchSize Most events the recorder merges in one transaction.
 * @param maxBodyBytes Largest request body accepted, in bytes; larger ones are answered 413.
 * @param keys API keys with their role, as {@code key:role} (roles {@code read}, {@code submit}, {@code admin}), e.g.
 *     {@code CELERIAC_API_KEYS=k1:admin,k2:read}; when none is set, an admin key is generated at start and logged
 *     once.
 * @param resultTtl How long finished tasks and their results stay in the ledger.
 * @param cleanupInterval How often expired tasks are removed.
 * @param allowUnknownTasks Whether tasks whose name no worker ever registered are accepted (for workers that do not
 *     report their task names, such as Celery's).
 * @param submitBatchSize Most submits recorded in one transaction and published in one burst; submits that arrive
 *     while a batch is written wait for the next.
 * @param outboxGrace How old an accepted task's unconfirmed message must be before it counts as left behind by an API
 *     that stopped, and is published again; longer than the producer's confirm time-out.
 * @param outboxInterval How often the outbox is searched for messages left behind.
 * @param waitRecheck How often a {@code ?wait} request reads the ledger again when no end was signalled to this
 *     instance; ends this instance records wake waiters at once.
 * @param revocationHorizon How long workers remember a revocation from one announcement; a revocation is announced
 *     again at least every quarter of it while its task can still arrive. A worker's
 *     {@code celeriac.worker.revocation-retention} must be at least a quarter of it.
 * @param chordSweep How often the chords not fired yet are looked at again. A chord's body starts as its last header
 *     task's event is recorded; the sweep only settles a join that two API instances recording that task and the
 *     chord's definition at the same moment each left to the other.
 * @param schedulerEnabled Whether this instance fires the schedules' slots. Any number of instances may: each slot
 *     fires once.
 * @param schedulerPoll Longest wait between two looks at the schedules; an instance wakes for the earliest slot it
 *     knows of, and at least this often to see schedules other instances added or changed.
 * @param schedulerLateAfter How late a slot may fire before it counts as missed (what a schedule's {@code missed:
 *     skip} skips).
 */
@Validated
@ConfigurationProperties("celeriac.api")
public record ApiProperties(
        @DefaultValue("1048576") @Min(1) int resultLimit,
        @DefaultValue("200") @Min(1) @Max(10_000) int recorderBatchSize,
        @DefaultValue("1048576") @Min(1) long maxBodyBytes,
        List<String> keys,
        @DefaultValue("7d") Duration resultTtl,
        @DefaultValue("1h") Duration cleanupInterval,
        @DefaultValue("false") boolean allowUnknownTasks,
        @DefaultValue("500") @Min(1) @Max(10_000) int submitBatchSize,
        @DefaultValue("15s") Duration outboxGrace,
        @DefaultValue("5s") Duration outboxInterval,
        @DefaultValue("24h") Duration revocationHorizon,
        @DefaultValue("1s") Duration waitRecheck,
        @DefaultValue("10s") Duration chordSweep,
        @DefaultValue("true") boolean schedulerEnabled,
        @DefaultValue("1s") Duration schedulerPoll,
        @DefaultValue("10s") Duration schedulerLateAfter) {

    public ApiProperties {
        keys = keys == null ? List.of() : List.copyOf(keys);
    }

    @Override
    public String toString() {
        // Keys are secrets: never in logs or error messages.
        return "ApiProperties[resultLimit=" + resultLimit + ", recorderBatchSize=" + recorderBatchSize
                + ", maxBodyBytes=" + maxBodyBytes + ", keys=" + keys.size() + " configured, submitBatchSize="
                + submitBatchSize + ", outboxGrace=" + outboxGrace + ", revocationHorizon=" + revocationHorizon + "]";
    }
}
