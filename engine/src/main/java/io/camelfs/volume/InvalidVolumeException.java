package io.camelfs.volume;

/** A volume definition or address is wrong; the message names the field and what is wrong with it. */
public class InvalidVolumeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidVolumeException(String message) {
        super(message);
    }
}
