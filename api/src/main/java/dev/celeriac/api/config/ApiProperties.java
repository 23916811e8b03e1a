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
 */
@Validated
@ConfigurationProperties("celeriac.api")
public record ApiProperties(
        @DefaultValue("1048576") @Min(1) int resultLimit,
        @DefaultValue("200") @Min(1) @Max(10_000) int recorderBatchSize,
        @DefaultValue("1048576") @Min(1) long maxBodyBytes) {}
