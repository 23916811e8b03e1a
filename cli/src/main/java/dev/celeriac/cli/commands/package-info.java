/** The command line's verbs, one class each. */
package dev.celeriac.cli.commands;
