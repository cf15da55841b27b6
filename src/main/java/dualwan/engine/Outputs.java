package dualwan.engine;

import dualwan.model.ModeResult;
import dualwan.model.ProbeRequest;
import dualwan.model.SwitchEvent;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What one step of the engine asks the outside to do. The daemon hands each part to its adapter; the
 * simulator and {@code dualwan plan} read them directly.
 *
 * @param probes         probes to send now
 * @param kernel         a new kernel target, when what the kernel should hold changed
 * @param repair         compare the kernel with the target now (someone else may have changed our rules)
 * @param readLinks      read every uplink's link and answer with {@link Input.Links}
 * @param readAddressing read addressing and answer with {@link Input.Addressing} (or {@link Input.ReadFailed})
 * @param switches       changes of the LAN's active uplink, in order
 * @param modeReplies    answers to mode requests
 * @param notes          lines for the log, in order
 * @param stateChanged   what people see changed: write the state file, tell the listeners
 * @param wakeAt         when to send the next {@link Input.Tick}, at the latest
 */
public record Outputs(List<ProbeRequest> probes, Optional<KernelTarget> kernel, boolean repair, boolean readLinks,
                      boolean readAddressing, List<SwitchEvent> switches, List<ModeReply> modeReplies,
                      List<Note> notes, boolean stateChanged, Instant wakeAt) {

    public Outputs {
        probes = List.copyOf(probes);
        switches = List.copyOf(switches);
        modeReplies = List.copyOf(modeReplies);
        notes = List.copyOf(notes);
    }

    /**
     * The answer to one {@link Input.ModeRequest}.
     *
     * @param id     the request's id
     * @param result the decision that followed, or empty when refused
     * @param error  why it was refused
     */
    public record ModeReply(long id, Optional<ModeResult> result, Optional<String> error) {
    }
}
