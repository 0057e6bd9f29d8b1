"""Exchange with CAT tools: TMX memories, TBX term bases and XLIFF files, in and out.

Pure stages: bytes and project data in, bytes and reports out. translate-toolkit's
storage classes read and write the formats (an implementation every CAT tool's files have
been tested against), so no module here serialises XML by hand; the store reads and
writes the files, the jobs in `lingopress.jobs.exchange` wire both.
"""
