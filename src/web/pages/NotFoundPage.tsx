import { PageHeader } from '../components/PageHeader.tsx';

export function NotFoundPage({ title, message }: { title: string; message: string }) {
  return (
    <div className="page">
      <PageHeader title={title} description={message} />
    </div>
  );
}
