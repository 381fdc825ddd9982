//! Formulas of derived indicators: arithmetic over other indicators' codes, e.g.
//! `rd_expenditure / (gdp * 10000) * 100`.
//!
//! Deliberately tiny (numbers, identifiers, + − × ÷, parentheses): a plan file must not be able
//! to run anything but arithmetic, and a formula must be readable by the officer who checks it.

use std::collections::BTreeSet;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(f64),
    Var(String),
    Neg(Box<Expr>),
    Bin(Box<Expr>, Op, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("公式错误（第{position}个字符）：{message} (formula error at character {position})")]
pub struct FormulaError {
    /// 1-based character position in the formula text.
    pub position: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    text: String,
    expr: Expr,
}

impl Formula {
    pub fn parse(text: &str) -> Result<Self, FormulaError> {
        let chars: Vec<char> = text.chars().collect();
        let mut p = Parser {
            chars: &chars,
            pos: 0,
        };
        let expr = p.expr()?;
        p.skip_ws();
        if p.pos < chars.len() {
            return Err(p.error("多余的字符 (unexpected character)"));
        }
        Ok(Self {
            text: text.trim().to_owned(),
            expr,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The indicator codes the formula reads.
    pub fn inputs(&self) -> BTreeSet<String> {
        fn walk(e: &Expr, out: &mut BTreeSet<String>) {
            match e {
                Expr::Num(_) => {}
                Expr::Var(v) => {
                    out.insert(v.clone());
                }
                Expr::Neg(a) => walk(a, out),
                Expr::Bin(a, _, b) => {
                    walk(a, out);
                    walk(b, out);
                }
            }
        }
        let mut out = BTreeSet::new();
        walk(&self.expr, &mut out);
        out
    }

    /// Evaluates with the given input values; `None` when an input is missing or a division by
    /// zero makes the value undefined (a ratio over an empty denominator has no value, not 0).
    pub fn eval(&self, value_of: &dyn Fn(&str) -> Option<f64>) -> Option<f64> {
        fn ev(e: &Expr, f: &dyn Fn(&str) -> Option<f64>) -> Option<f64> {
            Some(match e {
                Expr::Num(n) => *n,
                Expr::Var(v) => f(v)?,
                Expr::Neg(a) => -ev(a, f)?,
                Expr::Bin(a, op, b) => {
                    let (x, y) = (ev(a, f)?, ev(b, f)?);
                    match op {
                        Op::Add => x + y,
                        Op::Sub => x - y,
                        Op::Mul => x * y,
                        Op::Div if y == 0.0 => return None,
                        Op::Div => x / y,
                    }
                }
            })
        }
        ev(&self.expr, value_of).filter(|v| v.is_finite())
    }
}

impl fmt::Display for Formula {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

struct Parser<'a> {
    chars: &'a [char],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> FormulaError {
        FormulaError {
            position: self.pos + 1,
            message: message.to_owned(),
        }
    }
    fn skip_ws(&mut self) {
        while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
    }
    fn peek(&mut self) -> Option<char> {
        self.skip_ws();
        self.chars.get(self.pos).copied()
    }
    fn expr(&mut self) -> Result<Expr, FormulaError> {
        let mut lhs = self.term()?;
        while let Some(c @ ('+' | '-')) = self.peek() {
            self.pos += 1;
            let rhs = self.term()?;
            let op = if c == '+' { Op::Add } else { Op::Sub };
            lhs = Expr::Bin(Box::new(lhs), op, Box::new(rhs));
        }
        Ok(lhs)
    }
    fn term(&mut self) -> Result<Expr, FormulaError> {
        let mut lhs = self.factor()?;
        while let Some(c @ ('*' | '/')) = self.peek() {
            self.pos += 1;
            let rhs = self.factor()?;
            let op = if c == '*' { Op::Mul } else { Op::Div };
            lhs = Expr::Bin(Box::new(lhs), op, Box::new(rhs));
        }
        Ok(lhs)
    }
    fn factor(&mut self) -> Result<Expr, FormulaError> {
        match self.peek() {
            Some('-') => {
                self.pos += 1;
                Ok(Expr::Neg(Box::new(self.factor()?)))
            }
            Some('(') => {
                self.pos += 1;
                let e = self.expr()?;
                if self.peek() != Some(')') {
                    return Err(self.error("缺少右括号 (missing ')')"));
                }
                self.pos += 1;
                Ok(e)
            }
            Some(c) if c.is_ascii_digit() || c == '.' => {
                let start = self.pos;
                while self
                    .chars
                    .get(self.pos)
                    .is_some_and(|c| c.is_ascii_digit() || *c == '.')
                {
                    self.pos += 1;
                }
                let s: String = self.chars[start..self.pos].iter().collect();
                s.parse().map(Expr::Num).map_err(|_| FormulaError {
                    position: start + 1,
                    message: format!("无效的数字 '{s}' (invalid number)"),
                })
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let start = self.pos;
                while self
                    .chars
                    .get(self.pos)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
                {
                    self.pos += 1;
                }
                Ok(Expr::Var(self.chars[start..self.pos].iter().collect()))
            }
            Some(_) => Err(self.error(
                "此处应为数字、指标代码或括号 (expected a number, an indicator code or '(')",
            )),
            None => Err(self.error("公式不完整 (formula ends too early)")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(k: &str) -> Option<f64> {
        match k {
            "rd_expenditure" => Some(250_000.0),
            "gdp" => Some(1_250.0),
            "zero" => Some(0.0),
            _ => None,
        }
    }

    #[test]
    fn rd_intensity_in_percent() {
        let f = Formula::parse("rd_expenditure / (gdp * 10000) * 100").expect("parses");
        assert_eq!(f.eval(&vals), Some(2.0));
        assert_eq!(
            f.inputs().into_iter().collect::<Vec<_>>(),
            vec!["gdp".to_owned(), "rd_expenditure".to_owned()]
        );
    }

    #[test]
    fn precedence_and_unary_minus() {
        let f = Formula::parse("1 + 2 * 3 - -4 / 2").expect("parses");
        assert_eq!(f.eval(&vals), Some(9.0));
    }

    #[test]
    fn missing_input_or_zero_denominator_has_no_value() {
        let f = Formula::parse("rd_expenditure / zero").expect("parses");
        assert_eq!(f.eval(&vals), None);
        let g = Formula::parse("unknown + 1").expect("parses");
        assert_eq!(g.eval(&vals), None);
    }

    #[test]
    fn errors_name_the_position() {
        let e = Formula::parse("gdp * (1 + 2").expect_err("unbalanced");
        assert_eq!(e.position, 13);
        let e = Formula::parse("gdp $ 2").expect_err("bad char");
        assert_eq!(e.position, 5);
        assert!(Formula::parse("").is_err());
    }
}
