package bedrock

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// minPartBytes is S3's smallest part of a multipart upload but the last.
const minPartBytes = 5 << 20

// outputWriter writes the finished records of one input file: their output
// lines to the spool, which goes to S3 a part at a time, and their progress
// to the journal (see journal).
type outputWriter struct {
	e           *Engine
	bucket, key string
	j           *journal
	spool       *os.File
	w           *bufio.Writer
	size        int64   // bytes written to the spool, buffered ones included
	t           tally   // counts of every finished record, written or buffered
	done        doneSet // every finished record, written or buffered
}

// openOutput opens the journal at path and its spool, cut back to the
// journal's last checkpoint, and starts the multipart upload of the output
// object bucket/key unless the journal names one already.
func (e *Engine) openOutput(ctx context.Context, path, bucket, key string) (*outputWriter, error) {
	j, err := openJournal(path, true)
	if err != nil {
		return nil, err
	}
	o := &outputWriter{e: e, bucket: bucket, key: key, j: j, size: j.spool, t: j.t, done: j.done.clone()}
	if j.uploadID == "" {
		id, err := e.cfg.Store.CreateUpload(ctx, bucket, key)
		if err == nil {
			err = j.started(id)
		}
		if err != nil {
			j.close()
			return nil, err
		}
	}
	if o.spool, err = os.OpenFile(spoolPath(path), os.O_RDWR|os.O_CREATE, 0o644); err == nil {
		if err = o.spool.Truncate(o.size); err == nil {
			_, err = o.spool.Seek(o.size, io.SeekStart)
		}
		if err != nil {
			o.spool.Close()
		}
	}
	if err != nil {
		j.close()
		return nil, err
	}
	o.w = bufio.NewWriterSize(o.spool, 256<<10)
	return o, nil
}

// write takes a chunk's finished records.
func (o *outputWriter) write(r chunkResult) error {
	n, err := o.w.Write(r.data)
	o.size += int64(n)
	if err != nil {
		return err
	}
	o.t.add(r.t)
	for _, i := range r.idx {
		o.done.add(i)
	}
	return nil
}

// checkpoint makes the records written so far finished for good: it
// flushes the spool and notes them in the journal. Once the spool holds a
// part, it uploads it with ctx; an upload that fails because ctx ended is
// not an error, since the spool is uploaded at the next checkpoint or when
// the output is completed.
func (o *outputWriter) checkpoint(ctx context.Context) error {
	if err := o.w.Flush(); err != nil {
		return err
	}
	if err := o.j.checkpoint(o.size, o.t, &o.done); err != nil {
		return err
	}
	if o.size < o.e.cfg.OutputPartBytes {
		return nil
	}
	etag, err := o.e.cfg.Store.UploadPart(ctx, o.bucket, o.key, o.j.uploadID, len(o.j.parts)+1, io.NewSectionReader(o.spool, 0, o.size))
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	if err := o.j.uploaded(etag); err != nil {
		return err
	}
	if err := o.spool.Truncate(0); err != nil {
		return err
	}
	if _, err := o.spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	o.size = 0
	o.w.Reset(o.spool)
	return nil
}

func (o *outputWriter) close() error {
	return errors.Join(o.spool.Close(), o.j.close())
}

// finishOutput completes the output object of the input file whose journal
// is at path: it uploads what the spool holds as the last part and
// completes the upload (or, with no part, stores an empty object). It
// returns the counts of the file's finished records, and fs.ErrNotExist
// when the file has no journal, as no record of it ran. Finishing a
// finished output again only reads its journal.
func (e *Engine) finishOutput(ctx context.Context, path, bucket, key string) (tally, error) {
	j, err := openJournal(path, false)
	if err != nil {
		return tally{}, err
	}
	defer j.close()
	if j.complete {
		return j.t, nil
	}
	if j.spool > 0 {
		spool, err := os.Open(spoolPath(path))
		if err != nil {
			return tally{}, err
		}
		etag, err := e.cfg.Store.UploadPart(ctx, bucket, key, j.uploadID, len(j.parts)+1, io.NewSectionReader(spool, 0, j.spool))
		spool.Close()
		if err == nil {
			err = j.uploaded(etag)
		}
		if err != nil {
			return tally{}, err
		}
	}
	if len(j.parts) > 0 {
		err = e.cfg.Store.CompleteUpload(ctx, bucket, key, j.uploadID, j.parts)
		if errors.Is(err, ErrNoSuchUpload) && e.exists(ctx, bucket, key) {
			err = nil // completed before a crash that kept the journal from saying so
		}
	} else {
		err = e.cfg.Store.Put(ctx, bucket, key, bytes.NewReader(nil))
		if err == nil && j.uploadID != "" {
			if aerr := e.cfg.Store.AbortUpload(ctx, bucket, key, j.uploadID); aerr != nil && !errors.Is(aerr, ErrNoSuchUpload) {
				err = aerr
			}
		}
	}
	if err == nil {
		err = j.finished()
	}
	if err != nil {
		return tally{}, err
	}
	if err := os.Remove(spoolPath(path)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		e.cfg.Logger.Warn("could not remove a finished output's spool", "path", spoolPath(path), "error", fmt.Sprint(err))
	}
	return j.t, nil
}

// exists reports whether the object bucket/key exists.
func (e *Engine) exists(ctx context.Context, bucket, key string) bool {
	_, err := e.cfg.Store.Head(ctx, bucket, key)
	return err == nil
}
