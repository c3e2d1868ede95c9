package spool

import "os"

// ReplaceFile gives path new content without readers ever seeing a part of
// it: write fills a temporary file made in tmpDir (os.CreateTemp with
// pattern), which is then closed and renamed over path. tmpDir must be on
// path's file system. With durable set the file is synced before the
// rename. When any step fails the temporary file is removed, path is left
// as it was, and the first error is returned.
func ReplaceFile(path, tmpDir, pattern string, durable bool, write func(*os.File) error) error {
	f, err := os.CreateTemp(tmpDir, pattern)
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = write(f)
	if err == nil && durable {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}
