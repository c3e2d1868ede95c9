package manifest

import (
	"fmt"
	"io"
	"runtime"
)

// FileStats describes an input file that passed validation.
type FileStats struct {
	File         string // the name used in errors
	Records      int    // records in the file
	Bytes        int64  // size of the file in bytes
	GeneratedIDs int    // records that had no recordId
	// TakenIDs are the file's own record ids that have the shape of
	// generated ones ("REC00000042"). Read the file again with
	// Reader.AvoidIDs(TakenIDs) so that the ids generated for records
	// without one differ from every record's own; usually empty.
	TakenIDs []string
}

// FileValidator checks the records of one file as they stream past, so a
// caller that reads records anyway (to run them) validates at no extra cost.
type FileValidator struct {
	file  string
	lim   Limits
	ids   map[string]int // recordId → line, nil when duplicates are allowed
	taken map[string]struct{}
	stats FileStats
}

// NewFileValidator starts validating file against lim (zero fields mean the
// defaults).
func NewFileValidator(file string, lim Limits) *FileValidator {
	lim = lim.WithDefaults()
	v := &FileValidator{file: file, lim: lim, stats: FileStats{File: file}}
	if !lim.AllowDuplicateRecordIDs {
		v.ids = make(map[string]int)
	}
	return v
}

// Add checks one record, which must come after those added before it.
func (v *FileValidator) Add(rec Record) error {
	if rec.End > v.lim.MaxFileBytes {
		return fileTooLarge(v.file, rec.End, v.lim.MaxFileBytes)
	}
	v.stats.Records++
	if v.stats.Records > v.lim.MaxRecordsPerFile {
		return errorf(v.file, rec.Line, KindTooManyRecords,
			"the file has more than %d records, the most one input file may hold; split it into several files (bedrockbatch prepare does this)",
			v.lim.MaxRecordsPerFile)
	}
	if rec.GeneratedID {
		// A generated id differs from every id of the file once read
		// with AvoidIDs(TakenIDs), so it is not checked here.
		v.stats.GeneratedIDs++
		return nil
	}
	if hasGeneratedShape(rec.RecordID) {
		if _, seen := v.taken[rec.RecordID]; !seen {
			if v.taken == nil {
				v.taken = map[string]struct{}{}
			}
			v.taken[rec.RecordID] = struct{}{}
			v.stats.TakenIDs = append(v.stats.TakenIDs, rec.RecordID)
		}
	}
	if v.ids != nil {
		if first, dup := v.ids[rec.RecordID]; dup {
			return errorf(v.file, rec.Line, KindDuplicateID,
				"recordId %q is also used on line %d; record ids must be unique within a file", rec.RecordID, first)
		}
		v.ids[rec.RecordID] = rec.Line
	}
	return nil
}

// Finish checks the file as a whole; size is its length in bytes.
func (v *FileValidator) Finish(size int64) (FileStats, error) {
	v.stats.Bytes = size
	if size > v.lim.MaxFileBytes {
		return v.stats, fileTooLarge(v.file, size, v.lim.MaxFileBytes)
	}
	return v.stats, nil
}

func fileTooLarge(file string, size, max int64) error {
	return errorf(file, 0, KindFileTooLarge,
		"the file is larger than %d bytes (at least %d), the most one input file may hold; split it into several files", max, size)
}

// ValidateFile reads a whole input file and checks every line and the
// file-level limits. It returns the first problem as an *Error. Lines are
// parsed on all CPUs; memory stays bounded by a few chunks of lines and the
// record ids of one file.
func ValidateFile(r io.Reader, file string, lim Limits) (FileStats, error) {
	lim = lim.WithDefaults()
	rd := NewReader(r, file, lim.MaxRecordBytes)
	v := NewFileValidator(file, lim) // keeps copies of ids, nothing of a Record's bytes
	parallel := runtime.GOMAXPROCS(0)
	rd.recycle = make(chan []byte, 2*parallel)
	err := rd.ForEach(parallel, func(rec Record, err error) error {
		if err != nil {
			return err
		}
		return v.Add(rec)
	})
	if err != nil {
		return v.stats, err
	}
	return v.Finish(rd.BytesRead())
}

// ValidateJob checks the job-level limits over the files of one job: the
// total record count against MinRecordsPerJob and the total size against
// MaxJobBytes.
func ValidateJob(files []FileStats, lim Limits) error {
	lim = lim.WithDefaults()
	var records int
	var size int64
	for _, f := range files {
		records += f.Records
		size += f.Bytes
	}
	if len(files) == 0 {
		return errorf("", 0, KindNoRecords, "the job has no input files")
	}
	if size > lim.MaxJobBytes {
		return errorf(fileList(files), 0, KindJobTooLarge,
			"the job's input files total %d bytes; the most one job may take is %d bytes, so split the input over several jobs", size, lim.MaxJobBytes)
	}
	if records < lim.MinRecordsPerJob {
		return errorf(fileList(files), 0, KindTooFewRecords,
			"the job has %d records; the minimum is %d records per job, so add records or merge inputs", records, lim.MinRecordsPerJob)
	}
	return nil
}

// fileList names the files of a job for an error message.
func fileList(files []FileStats) string {
	switch len(files) {
	case 1:
		return files[0].File
	case 2, 3:
		s := files[0].File
		for _, f := range files[1:] {
			s += ", " + f.File
		}
		return s
	default:
		return fmt.Sprintf("%s and %d more files", files[0].File, len(files)-1)
	}
}
