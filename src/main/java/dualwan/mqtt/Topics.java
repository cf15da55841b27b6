package dualwan.mqtt;

import dualwan.config.MqttConfig;

/** Every topic this device uses; {@code P} is {@code mqtt.topic-prefix}. */
record Topics(String prefix, String discoveryPrefix, String deviceId, String birth) {

    static Topics of(MqttConfig config) {
        return new Topics(config.topicPrefix(), config.discoveryPrefix(), config.deviceId(), config.birthTopic());
    }

    /** {@code P/availability}: retained {@code online}; a clean stop makes it {@code offline}, the will {@code lost}. */
    String availability() {
        return prefix + "/availability";
    }

    /** {@code P/state}: retained, the state file's JSON. */
    String state() {
        return prefix + "/state";
    }

    /** {@code P/wan/NAME/state}: retained, one uplink with its latency and loss. */
    String uplink(String wan) {
        return prefix + "/wan/" + wan + "/state";
    }

    /** {@code P/wan/NAME/state6}: retained, one uplink's IPv6 (only for an uplink with IPv6). */
    String uplink6(String wan) {
        return prefix + "/wan/" + wan + "/state6";
    }

    /** Every uplink's retained topic, those of earlier configs included. */
    String uplinks() {
        return uplink("+");
    }

    /** Every uplink's retained IPv6 topic, those of earlier configs included. */
    String uplinks6() {
        return uplink6("+");
    }

    /** The uplink whose topic this is, or null. */
    String uplinkOf(String topic) {
        return wanOf(topic, "/state");
    }

    /** The uplink whose IPv6 topic this is, or null. */
    String uplink6Of(String topic) {
        return wanOf(topic, "/state6");
    }

    private String wanOf(String topic, String tail) {
        String head = prefix + "/wan/";
        if (!topic.startsWith(head) || !topic.endsWith(tail) || topic.length() <= head.length() + tail.length()) {
            return null;
        }
        String wan = topic.substring(head.length(), topic.length() - tail.length());
        return wan.contains("/") ? null : wan;
    }

    /** {@code P/event}: not retained, one message per switch. */
    String event() {
        return prefix + "/event";
    }

    /** {@code P/mode/set}: command, {@code auto} or an uplink name. */
    String modeCommand() {
        return prefix + "/mode/set";
    }

    /** {@code P/failover/set}: command, {@code PRESS}: force the next uplink. */
    String failoverCommand() {
        return prefix + "/failover/set";
    }

    /** Home Assistant's device-based discovery topic. */
    String discovery() {
        return discoveryPrefix + "/device/" + deviceId + "/config";
    }

    /** Home Assistant's birth and will topic ({@code mqtt.birth-topic}). */
    String homeAssistantStatus() {
        return birth;
    }
}
