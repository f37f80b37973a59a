from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Production's static files storage, without the compressed copies:
    the bench requests pages, never static files, and compressing every
    asset would cost a minute of CPU each run."""

    def compress_files(self, names):
        return iter(())
