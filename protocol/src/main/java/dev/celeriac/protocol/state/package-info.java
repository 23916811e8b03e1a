/** Task states with their precedence, allowed transitions and the merge of out-of-order updates. */
package dev.celeriac.protocol.state;
