package io.camelfs.volume;

/**
 * HOST:PORT:/VOLUME[/path], the way clients name a volume (and a path in it): any brick of the volume serves its
 * definition.
 */
public record VolumeAddress(BrickAddress server, String volume, String path) {

    public static VolumeAddress parse(String s) {
        if (s == null || s.isBlank()) {
            throw new InvalidVolumeException("volume address missing: expected HOST:PORT:/VOLUME");
        }
        int sep = s.indexOf(":/");
        if (sep < 0) {
            throw new InvalidVolumeException("'" + s + "' is not HOST:PORT:/VOLUME[/path]");
        }
        BrickAddress server;
        try {
            server = BrickAddress.parse(s.substring(0, sep));
        } catch (InvalidVolumeException e) {
            throw new InvalidVolumeException("'" + s + "' is not HOST:PORT:/VOLUME[/path]: " + e.getMessage());
        }
        String rest = s.substring(sep + 2);
        int slash = rest.indexOf('/');
        String volume = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash + 1);
        VolumeSpec.checkName(volume);
        return new VolumeAddress(server, volume, path);
    }

    @Override
    public String toString() {
        return server + ":/" + volume + (path.isEmpty() ? "" : "/" + path);
    }
}
