"""Media work: probing, analysis, animatics, composition and QA, on FFmpeg and PyAV."""
