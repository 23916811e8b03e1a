package dev.celeriac.api.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
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
 */
@Validated
@ConfigurationProperties("celeriac.api")
public record ApiProperties(
        @DefaultValue("1048576") @Min(1) int resultLimit,
        @DefaultValue("200") @Min(1) @Max(10_000) int recorderBatchSize,
        @DefaultValue("1048576") @Min(1) long maxBodyBytes,
        java.util.List<String> keys,
        @DefaultValue("7d") java.time.Duration resultTtl,
        @DefaultValue("1h") java.time.Duration cleanupInterval,
        @DefaultValue("false") boolean allowUnknownTasks) {

    public ApiProperties {
        keys = keys == null ? java.util.List.of() : java.util.List.copyOf(keys);
    }

    @Override
    public String toString() {
        // Keys are secrets: never in logs or error messages.
        return "ApiProperties[resultLimit=" + resultLimit + ", recorderBatchSize=" + recorderBatchSize
                + ", maxBodyBytes=" + maxBodyBytes + ", keys=" + keys.size() + " configured]";
    }
}
