package dualwan.engine;

import dualwan.model.ProbeRequest;
import dualwan.model.SwitchEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The outputs of one engine step while it is being made. */
final class Step {
    final List<ProbeRequest> probes = new ArrayList<>();
    Optional<KernelTarget> kernel = Optional.empty();
    boolean repair;
    boolean readLinks;
    boolean readAddressing;
    final List<SwitchEvent> switches = new ArrayList<>();
    final List<Outputs.ModeReply> modeReplies = new ArrayList<>();
    final List<Note> notes = new ArrayList<>();
    boolean stateChanged;

    void note(Note.Level level, String text) {
        notes.add(new Note(level, text));
    }

    Outputs build(Instant wakeAt) {
        return new Outputs(probes, kernel, repair, readLinks, readAddressing, switches, modeReplies, notes,
                stateChanged, wakeAt);
    }
}
