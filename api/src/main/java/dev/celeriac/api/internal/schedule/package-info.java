/** The scheduler: when a schedule's slots fall, which of them fire, and the claim that fires each one once. */
package dev.celeriac.api.internal.schedule;
