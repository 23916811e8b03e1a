/** What a benchmark runs against: the broker's vhost, the ledger's database, worker and API JVMs, a producer. */
package dev.celeriac.bench.stack;
