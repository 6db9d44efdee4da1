//! The parser: tokens to statements and expression trees.
//!
//! ```text
//! file      := statement*
//! statement := 'input' NAME
//!            | 'param' NAME '=' NUMBER 'in' NUMBER '..' NUMBER [STRING]
//!            | 'let' NAME '=' expr
//!            | 'output' NAME '=' expr
//! expr      := sum ('>>' target)*          target: UNIT or UNIT(args)
//! sum       := product (('+' | '-') product)*
//! product   := unary (('*' | '/') unary)*
//! unary     := '-' unary | NUMBER | NAME | NAME '(' args ')' | '(' expr ')'
//! ```
//! (NUMBER in a param may have a leading `-`.) `a >> f(b)` is `f(a, b)`.

use crate::error::{Error, Location};
use crate::lexer::{Tok, Token};

/// The deepest an expression may nest (parentheses, calls, operators).
pub const MAX_DEPTH: usize = 100;

/// The language's keywords (not usable as names).
/// (`in`, which follows a param's default, is not reserved: `input in` is
/// the usual name of an input.)
pub(crate) const KEYWORDS: [&str; 4] = ["input", "param", "let", "output"];

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// An expression node.
#[derive(Clone, Debug)]
pub(crate) enum ExprKind {
    Num(f64),
    Name(String),
    Neg(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    /// A unit call; `piped` when its first argument came from `>>`.
    Call {
        name: String,
        args: Vec<Expr>,
        piped: bool,
    },
}

/// An expression with where it starts and how deep its tree is.
#[derive(Clone, Debug)]
pub(crate) struct Expr {
    pub kind: ExprKind,
    pub line: u32,
    pub column: u32,
    depth: usize,
}

/// A name with where it is written.
#[derive(Clone, Debug)]
pub(crate) struct Name {
    pub text: String,
    pub line: u32,
    pub column: u32,
}

/// One statement.
#[derive(Clone, Debug)]
pub(crate) enum Stmt {
    Input(Name),
    Param {
        name: Name,
        default: f64,
        default_at: (u32, u32),
        min: f64,
        max: f64,
        range_at: (u32, u32),
        doc: String,
    },
    Let(Name, Expr),
    Output(Name, Expr),
}

struct Parser<'a> {
    tokens: &'a [Token],
    pos: usize,
    file: &'a str,
    depth: usize,
}

/// Parse the tokens of a whole file.
pub(crate) fn parse_tokens(tokens: &[Token], file: &str) -> Result<Vec<Stmt>, Error> {
    let mut p = Parser {
        tokens,
        pos: 0,
        file,
        depth: 0,
    };
    let mut out = Vec::new();
    while p.peek().tok != Tok::End {
        out.push(p.statement()?);
    }
    Ok(out)
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn at(&self, line: u32, column: u32) -> Location {
        Location {
            file: self.file.to_string(),
            line,
            column,
        }
    }

    fn expected(&self, what: &str) -> Error {
        let t = self.peek();
        Error::Syntax {
            at: self.at(t.line, t.column),
            expected: what.to_string(),
            found: t.tok.describe(),
        }
    }

    fn expect(&mut self, tok: Tok, what: &str) -> Result<Token, Error> {
        if self.peek().tok == tok {
            Ok(self.bump())
        } else {
            Err(self.expected(what))
        }
    }

    fn keyword(&self) -> Option<&str> {
        match &self.peek().tok {
            Tok::Ident(s) if KEYWORDS.contains(&s.as_str()) => Some(s.as_str()),
            _ => None,
        }
    }

    fn statement(&mut self) -> Result<Stmt, Error> {
        let expected = "a statement ('input', 'param', 'let' or 'output')";
        let Some(kw) = self.keyword().map(str::to_string) else {
            return Err(self.expected(expected));
        };
        self.bump();
        let name = self.name(&kw)?;
        match kw.as_str() {
            "input" => Ok(Stmt::Input(name)),
            "param" => {
                self.expect(Tok::Equals, "'=' and the default value")?;
                let (default, default_at) = self.signed("the default value (a number)")?;
                if self.peek().tok != Tok::Ident("in".into()) {
                    return Err(self.expected("'in' and a range, like 'in 20..2000'"));
                }
                self.bump();
                let (min, range_at) = self.signed("a range, like '20..2000'")?;
                self.expect(Tok::DotDot, "'..' between the ends of the range")?;
                let (max, _) = self.signed("the upper end of the range (a number)")?;
                let doc = match &self.peek().tok {
                    Tok::Str(s) => {
                        let s = s.clone();
                        self.bump();
                        s
                    }
                    _ => String::new(),
                };
                Ok(Stmt::Param {
                    name,
                    default,
                    default_at,
                    min,
                    max,
                    range_at,
                    doc,
                })
            }
            "let" | "output" => {
                self.expect(Tok::Equals, "'=' and an expression")?;
                let e = self.expr()?;
                Ok(if kw == "let" {
                    Stmt::Let(name, e)
                } else {
                    Stmt::Output(name, e)
                })
            }
            _ => Err(self.expected(expected)),
        }
    }

    fn name(&mut self, after: &str) -> Result<Name, Error> {
        let t = self.peek().clone();
        match t.tok {
            Tok::Ident(text) if KEYWORDS.contains(&text.as_str()) => Err(Error::Reserved {
                at: self.at(t.line, t.column),
                name: text,
                what: "keyword",
            }),
            Tok::Ident(text) => {
                self.bump();
                Ok(Name {
                    text,
                    line: t.line,
                    column: t.column,
                })
            }
            _ => Err(self.expected(&format!("a name after '{after}'"))),
        }
    }

    fn signed(&mut self, what: &str) -> Result<(f64, (u32, u32)), Error> {
        let start = self.peek().clone();
        let negative = start.tok == Tok::Minus;
        if negative {
            self.bump();
        }
        match self.peek().tok {
            Tok::Number(n) => {
                self.bump();
                Ok((if negative { -n } else { n }, (start.line, start.column)))
            }
            _ => Err(self.expected(what)),
        }
    }

    fn node(&self, kind: ExprKind, line: u32, column: u32, depth: usize) -> Result<Expr, Error> {
        if depth > MAX_DEPTH {
            return Err(Error::TooDeep {
                at: self.at(line, column),
                limit: MAX_DEPTH,
            });
        }
        Ok(Expr {
            kind,
            line,
            column,
            depth,
        })
    }

    fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let t = self.peek();
            return Err(Error::TooDeep {
                at: self.at(t.line, t.column),
                limit: MAX_DEPTH,
            });
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Expr, Error> {
        let mut left = self.sum()?;
        while self.peek().tok == Tok::Pipe {
            self.bump();
            let (line, column) = (self.peek().line, self.peek().column);
            let target = self.sum()?;
            let depth = left.depth.max(target.depth) + 1;
            let (name, mut args) = match target.kind {
                ExprKind::Call { name, args, .. } => (name, args),
                ExprKind::Name(name) => (name, Vec::new()),
                _ => {
                    return Err(Error::PipeTarget {
                        at: self.at(line, column),
                    })
                }
            };
            args.insert(0, left);
            let kind = ExprKind::Call {
                name,
                args,
                piped: true,
            };
            left = self.node(kind, line, column, depth)?;
        }
        Ok(left)
    }

    fn binary(
        &mut self,
        ops: &[(Tok, BinOp)],
        next: fn(&mut Self) -> Result<Expr, Error>,
    ) -> Result<Expr, Error> {
        let mut left = next(self)?;
        loop {
            let Some(&(_, op)) = ops.iter().find(|(t, _)| *t == self.peek().tok) else {
                return Ok(left);
            };
            let t = self.bump();
            let right = next(self)?;
            let depth = left.depth.max(right.depth) + 1;
            let kind = ExprKind::Bin(op, Box::new(left), Box::new(right));
            left = self.node(kind, t.line, t.column, depth)?;
        }
    }

    fn sum(&mut self) -> Result<Expr, Error> {
        self.binary(
            &[(Tok::Plus, BinOp::Add), (Tok::Minus, BinOp::Sub)],
            Self::product,
        )
    }

    fn product(&mut self) -> Result<Expr, Error> {
        self.binary(
            &[(Tok::Star, BinOp::Mul), (Tok::Slash, BinOp::Div)],
            Self::unary,
        )
    }

    fn unary(&mut self) -> Result<Expr, Error> {
        self.enter()?;
        let t = self.bump();
        let e = match t.tok {
            Tok::Minus => {
                let inner = self.unary()?;
                let depth = inner.depth + 1;
                self.node(ExprKind::Neg(Box::new(inner)), t.line, t.column, depth)?
            }
            Tok::Number(n) => self.node(ExprKind::Num(n), t.line, t.column, 1)?,
            Tok::LParen => {
                let inner = self.expr()?;
                self.expect(Tok::RParen, "')' to close the '('")?;
                inner
            }
            Tok::Ident(name) if KEYWORDS.contains(&name.as_str()) => {
                self.pos -= 1;
                return Err(self.expected(
                    "a number, a name, '-' or '(' (a statement keyword cannot start an expression)",
                ));
            }
            Tok::Ident(name) if self.peek().tok == Tok::LParen => {
                self.bump();
                let mut args = Vec::new();
                let mut depth = 1;
                if self.peek().tok != Tok::RParen {
                    loop {
                        let a = self.expr()?;
                        depth = depth.max(a.depth + 1);
                        args.push(a);
                        if self.peek().tok == Tok::Comma {
                            self.bump();
                        } else {
                            break;
                        }
                    }
                }
                self.expect(Tok::RParen, "',' or ')' in the argument list")?;
                let kind = ExprKind::Call {
                    name,
                    args,
                    piped: false,
                };
                self.node(kind, t.line, t.column, depth)?
            }
            Tok::Ident(name) => self.node(ExprKind::Name(name), t.line, t.column, 1)?,
            _ => {
                if t.tok != Tok::End {
                    self.pos -= 1;
                }
                return Err(self.expected("a number, a name, '-' or '('"));
            }
        };
        self.depth -= 1;
        Ok(e)
    }
}
