package dev.celeriac.api.config;

import dev.celeriac.api.internal.ledger.TaskStore;
import dev.celeriac.api.internal.schedule.FireStore;
import dev.celeriac.api.internal.schedule.ScheduleStore;
import dev.celeriac.api.revoke.TaskRevoker;
import dev.celeriac.api.schedules.ConfiguredSchedules;
import dev.celeriac.api.schedules.DeclaredSchedules;
import dev.celeriac.api.schedules.ScheduleDefinitions;
import dev.celeriac.api.schedules.ScheduleProperties;
import dev.celeriac.api.schedules.Scheduler;
import dev.celeriac.api.submit.SubmitPipeline;
import dev.celeriac.api.submit.SubmitPreparer;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/** Wires the schedules: their store, the ones configured, and the scheduler every instance runs. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ScheduleProperties.class)
public class ScheduleConfiguration {

    @Bean
    ScheduleStore scheduleStore(JdbcTemplate jdbc, JsonMapper json) {
        return new ScheduleStore(JdbcClient.create(jdbc), json);
    }

    @Bean
    ScheduleDefinitions scheduleDefinitions(SubmitPreparer preparer) {
        return new ScheduleDefinitions(preparer);
    }

    @Bean
    ConfiguredSchedules configuredSchedules(
            ScheduleProperties properties,
            ScheduleDefinitions definitions,
            ScheduleStore store,
            JsonMapper json,
            Clock clock) {
        return new ConfiguredSchedules(properties, definitions, store, json, clock);
    }

    @Bean
    DeclaredSchedules declaredSchedules(
            ScheduleDefinitions definitions, ScheduleStore store, Scheduler scheduler, JsonMapper json, Clock clock) {
        return new DeclaredSchedules(definitions, store, scheduler, json, clock);
    }

    @Bean
    Scheduler scheduler(
            ScheduleStore schedules,
            FireStore fires,
            TaskStore tasks,
            SubmitPipeline pipeline,
            SubmitPreparer preparer,
            TaskRevoker revoker,
            TransactionTemplate transactions,
            MeterRegistry registry,
            Clock clock,
            ApiProperties properties,
            ConfiguredSchedules configured) {
        return new Scheduler(
                schedules,
                fires,
                tasks,
                pipeline,
                preparer,
                revoker,
                transactions,
                registry,
                clock,
                new Scheduler.Settings(
                        properties.schedulerEnabled(), properties.schedulerPoll(), properties.schedulerLateAfter()),
                configured);
    }
}
