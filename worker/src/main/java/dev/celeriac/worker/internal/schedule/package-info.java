/** The schedules a worker's tasks declare ({@code @CeleriacSchedule}), checked at start and declared to the ledger. */
package dev.celeriac.worker.internal.schedule;
