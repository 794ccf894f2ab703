import React from 'react';

export function Badge(props: { label: string; tone: 'info' | 'warn' }) {
  return <span className={`badge badge-${props.tone}`}>{props.label}</span>;
}
