package resp

import "bytes"

// Inline commands: a line of words, as typed into telnet, split as
// redis-server splits them (sdssplitargs, behind processInlineBuffer):
//
//   - Blanks separate words: runs of space, tab, CR, and also vertical tab
//     and form feed between words. (Inside a word only space, tab and CR
//     end it, as in Redis.)
//   - A double quote starts a quoted part, in which blanks are kept and a
//     backslash escapes: \n \r \t \b \a, \xHH (two hex digits) for any
//     byte, and a backslash before any other byte stands for that byte
//     (\\ and \" among them).
//   - A single quote starts a quoted part in which only \' is an escape.
//   - A quoted part may follow unquoted bytes of the word ("ab"c" d" is
//     one word, "abc d"), and ends the word: its closing quote must be
//     followed by a blank or the end of the line. A quote left open, or
//     closed before another byte, is ErrUnbalancedQuotes.
//
// Unlike Redis, whose C strings end there, a NUL byte is a byte like
// another.
//
// A word whose bytes are the line's own, one after the other (unquoted, or
// quoted without escapes), is a slice of the input; another is built in
// Parser.unquote, whose room is reused by the next command.

// inline parses one line of words ending in "\n" or "\r\n".
func (ps *Parser) inline(p []byte) ([][]byte, int, error) {
	window := p[:min(len(p), ps.lim.MaxLine+2)]
	i := bytes.IndexByte(window, '\n')
	if i < 0 {
		if len(window) == ps.lim.MaxLine+2 {
			return nil, 0, ErrLineTooLong
		}
		return nil, 0, nil
	}
	line := p[:i]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if len(line) > ps.lim.MaxLine {
		return nil, 0, ErrLineTooLong
	}
	if i+1 > ps.lim.MaxRequest {
		return nil, 0, ErrRequestTooLarge
	}
	args := ps.args[:0]
	ps.unquote = ps.unquote[:0]
	for j := 0; ; {
		for j < len(line) && isBlank(line[j]) {
			j++
		}
		if j == len(line) {
			break
		}
		w := word{start: j, end: j}
		next, err := w.read(ps, line)
		switch {
		case err != nil:
			return nil, 0, err
		case len(args) == ps.lim.MaxArgs:
			return nil, 0, ErrMultibulkLength
		case w.len(ps) > ps.lim.MaxBulk:
			return nil, 0, ErrBulkLength
		}
		args = append(args, w.bytes(ps, line))
		j = next
	}
	ps.args = args
	return args, i + 1, nil
}

// word is an inline word being read: line[start:end] while its bytes are
// the line's own, one after the other; from the first byte that is not,
// ps.unquote[from:].
type word struct {
	start, end int
	from       int
	built      bool
}

// read reads the word that starts at line[w.start], not a blank, and
// returns the index after it.
func (w *word) read(ps *Parser, line []byte) (int, error) {
	for i := w.start; i < len(line); i++ {
		switch c := line[i]; c {
		case ' ', '\t', '\r':
			return i, nil
		case '"', '\'':
			return w.readQuoted(ps, line, i+1, c)
		default:
			w.keep(ps, line, i)
		}
	}
	return len(line), nil
}

// readQuoted reads the quoted part of a word that starts at line[i], after
// the opening quote q, up to the closing quote, and returns the index
// after that quote: the end of the word.
func (w *word) readQuoted(ps *Parser, line []byte, i int, q byte) (int, error) {
	for i < len(line) {
		c := line[i]
		switch {
		case c == q:
			if i+1 < len(line) && !isBlank(line[i+1]) {
				return 0, ErrUnbalancedQuotes // the closing quote must end the word
			}
			return i + 1, nil
		case c != '\\' || i+1 == len(line):
			w.keep(ps, line, i)
			i++
		case q == '\'':
			if line[i+1] == '\'' {
				w.add(ps, line, '\'')
				i += 2
			} else {
				w.keep(ps, line, i)
				i++
			}
		case line[i+1] == 'x' && i+3 < len(line) && hexDigit(line[i+2]) >= 0 && hexDigit(line[i+3]) >= 0:
			w.add(ps, line, byte(hexDigit(line[i+2])<<4|hexDigit(line[i+3])))
			i += 4
		default:
			w.add(ps, line, unescape(line[i+1]))
			i += 2
		}
	}
	return 0, ErrUnbalancedQuotes // no closing quote
}

// keep adds line[i] to the word: in place if it follows the word's bytes
// in the line (or starts the word), else to the copy.
func (w *word) keep(ps *Parser, line []byte, i int) {
	switch {
	case w.built:
		ps.unquote = append(ps.unquote, line[i])
	case w.start == w.end:
		w.start, w.end = i, i+1
	case i == w.end:
		w.end++
	default:
		w.add(ps, line, line[i])
	}
}

// add adds byte c, which is not line[w.end], to the word: from then on the
// word is a copy, in ps.unquote.
func (w *word) add(ps *Parser, line []byte, c byte) {
	if !w.built {
		w.built, w.from = true, len(ps.unquote)
		ps.unquote = append(ps.unquote, line[w.start:w.end]...)
	}
	ps.unquote = append(ps.unquote, c)
}

// len returns the word's length.
func (w *word) len(ps *Parser) int {
	if w.built {
		return len(ps.unquote) - w.from
	}
	return w.end - w.start
}

// bytes returns the word, capped so that appending to it copies.
func (w *word) bytes(ps *Parser, line []byte) []byte {
	if w.built {
		return ps.unquote[w.from:len(ps.unquote):len(ps.unquote)]
	}
	return line[w.start:w.end:w.end]
}

// isBlank reports whether c separates inline words: isspace(3) in the C
// locale.
func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}

// hexDigit returns the value of a hex digit, or -1.
func hexDigit(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// unescape returns the byte that a backslash before c stands for in double
// quotes.
func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}
