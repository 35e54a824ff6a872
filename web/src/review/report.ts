// What a TID 1500 measurement report (or any SR) says, as lines of text for the review page: each measurement group's
// tracking identifier and finding with its measurements ("liver: Volume 1234.5 ml"), then any other coded findings.

import { text, values, type DicomJson } from '../dicomweb/series';

const SrTag = {
  ContentSequence: '0040A730',
  ValueType: '0040A040',
  ConceptNameCodeSequence: '0040A043',
  ConceptCodeSequence: '0040A168',
  CodeMeaning: '00080104',
  CodeValue: '00080100',
  TextValue: '0040A160',
  MeasuredValueSequence: '0040A300',
  NumericValue: '0040A30A',
  MeasurementUnitsCodeSequence: '004008EA',
} as const;

function children(item: DicomJson): DicomJson[] {
  return values(item, SrTag.ContentSequence) as DicomJson[];
}

function meaning(item: DicomJson, tag: string): string {
  const code = (values(item, tag) as DicomJson[])[0];
  return code ? text(code, SrTag.CodeMeaning) : '';
}

function valueOf(item: DicomJson): string {
  switch (text(item, SrTag.ValueType)) {
    case 'NUM': {
      const measured = (values(item, SrTag.MeasuredValueSequence) as DicomJson[])[0];
      if (!measured) return '(no value)';
      const unit = (values(measured, SrTag.MeasurementUnitsCodeSequence) as DicomJson[])[0];
      const number = Number(text(measured, SrTag.NumericValue));
      const unitText = unit ? text(unit, SrTag.CodeValue) : '';
      return `${Number.isInteger(number) ? number : number.toFixed(1)}${unitText && unitText !== '1' ? ` ${unitText}` : ''}`;
    }
    case 'CODE':
      return meaning(item, SrTag.ConceptCodeSequence);
    case 'TEXT':
      return text(item, SrTag.TextValue);
    default:
      return '';
  }
}

/** One line per measurement group (its identifier, finding and measurements), and one per finding outside a group. */
export function reportLines(report: DicomJson): string[] {
  const lines: string[] = [];
  const visit = (item: DicomJson) => {
    for (const child of children(item)) {
      const type = text(child, SrTag.ValueType);
      const name = meaning(child, SrTag.ConceptNameCodeSequence);
      if (type === 'CONTAINER' && name === 'Measurement Group') {
        const parts = children(child);
        const label = parts.filter((p) => meaning(p, SrTag.ConceptNameCodeSequence) === 'Tracking Identifier').map(valueOf)[0]
          ?? parts.filter((p) => meaning(p, SrTag.ConceptNameCodeSequence) === 'Finding').map(valueOf)[0] ?? 'Finding';
        const measurements = parts.filter((p) => text(p, SrTag.ValueType) === 'NUM')
          .map((p) => `${meaning(p, SrTag.ConceptNameCodeSequence)} ${valueOf(p)}`);
        const codes = parts.filter((p) => text(p, SrTag.ValueType) === 'CODE' && meaning(p, SrTag.ConceptNameCodeSequence) !== 'Finding')
          .map((p) => `${meaning(p, SrTag.ConceptNameCodeSequence)} ${valueOf(p)}`);
        lines.push(`${label}: ${[...codes, ...measurements].join(', ') || 'no measurement'}`);
      } else if (type === 'CONTAINER') {
        visit(child);
      }
    }
  };
  visit(report);
  return lines;
}
