package dev.celeriac.producer;

import java.util.List;

/**
 * A workflow the broker has confirmed: the tasks that start it are stored and will be delivered, and every later
 * step travels in their messages.
 *
 * @param rootId the workflow's id: the id of its first task, the {@code root_id} of every task in it
 * @param taskIds the id of every task of the workflow, in the order the workflow lists them (callbacks after the
 *     step they follow); later steps get their ids now, so they can be looked up before they run
 * @param resultIds the tasks whose results are the workflow's: the last step of a chain, every member of a group
 * @param started the tasks sent now: the first step of each chain
 */
public record WorkflowHandle(String rootId, List<String> taskIds, List<String> resultIds, List<TaskHandle> started) {

    public WorkflowHandle {
        taskIds = List.copyOf(taskIds);
        resultIds = List.copyOf(resultIds);
        started = List.copyOf(started);
    }
}
